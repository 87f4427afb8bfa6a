/// From the verb, the number and the colour in the words to one intent with its value slots.
enum MatcherIntent {
    struct Decision {
        var intent: Intent
        var value: Double?
        var unit: ValueUnit?
        var color: String?
        /// The kind of device an area alone stands for with this intent ("dim the kitchen": its lights).
        var domain: DeviceType?
        /// A bare number read as % or as the thermostat's own unit.
        var assumedUnit = false
        var indirect = false
    }

    static func decide(_ verb: MatcherVerb, _ s: inout MatcherSentence, catalog: Catalog)
        -> Result<Decision, MatcherFailure>
    {
        if case .unsupported(let why) = verb.kind { return .failure(.unsure(why)) }
        if s.quantities.count > 1 { return .failure(.unsure("several numbers")) }
        let number = s.quantities.first
        let relative = number.map { n in n.quantity.sign != .none || (n.position > 0 && s.words[n.position - 1] == "by") }
        if let n = number, n.position > 0, ["to", "by", "at"].contains(s.words[n.position - 1]) {
            s.explain(n.position - 1)
        }
        if colorCount(s) > 1 { return .failure(.unsure("several colours")) }
        let color = findColor(&s)
        let target = targetDomain(s, catalog: catalog)
        let temperatureWords = s.contains("temperature") || s.contains("degrees") || target == .climate
        var d = Decision(intent: .notACommand, indirect: verb.indirect)

        /// A number as a temperature set-point, a colour temperature or a percentage.
        func setValue(_ n: MatcherSentence.Number, percentIntent: Intent) -> Result<Decision, MatcherFailure> {
            switch n.quantity.unit {
            case .celsius, .fahrenheit, .degrees:
                d.intent = .climateSetTemperature
                d.unit = n.quantity.unit == .celsius ? .celsius : n.quantity.unit == .fahrenheit ? .fahrenheit : nil
                d.domain = .climate
            case .kelvin:
                d.intent = .lightSet
                d.unit = .kelvin
                d.domain = .light
            case .percent, .number:
                if n.quantity.unit == .number && temperatureWords {
                    d.intent = .climateSetTemperature
                    d.domain = .climate
                    d.assumedUnit = true
                } else if target == .cover || percentIntent == .setPosition {
                    d.intent = .setPosition
                    d.unit = .percent
                    d.domain = .cover
                    d.assumedUnit = n.quantity.unit == .number
                } else if target == .light || percentIntent == .lightSet || s.contains("brightness") {
                    d.intent = .lightSet
                    d.unit = .percent
                    d.domain = .light
                    d.assumedUnit = n.quantity.unit == .number
                } else {
                    return .failure(.unsure("what the number \(JSONValue.format(n.quantity.value)) sets"))
                }
            }
            if relative == true { return .failure(.unsure("a relative change to a level")) }
            d.value = n.quantity.value
            if d.intent == .lightSet, let color { d.color = color }
            return .success(d)
        }

        switch verb.kind {
        case .query:
            if number != nil { return .failure(.unsure("a question with a number")) }
            d.intent = .getState
            return .success(d)
        case .lock, .unlock:
            if number != nil { return .failure(.unsure("a number with lock")) }
            d.intent = verb.kind == .lock ? .lock : .unlock
            d.domain = .lock
            return .success(d)
        case .raise where target == .climate, .lower where target == .climate:
            // "raise the bedroom thermostat by 2 degrees", "heating up half a degree": a step unless "to" a level.
            if let number, relative != true, s.isLevel(number) { return setValue(number, percentIntent: .notACommand) }
            return temperature(up: verb.kind == .raise, number, &d)
        case .open, .close, .raise, .lower:
            if verb.elliptical, let number, !s.isLevel(number) {
                // "knock the desk lamp up ten percent": a light's step in percent; a cover's could be either.
                if target == .light, number.quantity.unit == .percent {
                    return brightness(up: verb.kind == .raise || verb.kind == .open, number, true, color, &d, s)
                }
                return .failure(.unsure("a number with 'up' or 'down'"))
            }
            if verb.elliptical && target != .cover && target != .light {
                return .failure(.unsure("'up' or 'down' without a cover or a light"))
            }
            if (verb.kind == .raise || verb.kind == .lower) && target == .light {
                return brightness(up: verb.kind == .raise, number, relative, color, &d, s)
            }
            if let word = s.words.first(where: MatcherLexicon.partialWords.contains) {
                return .failure(.unsure("'\(word)': a partial position"))
            }
            if let number {
                if relative == true { return .failure(.unsure("a relative position")) }
                return setValue(number, percentIntent: .setPosition)
            }
            d.intent = verb.kind == .open || verb.kind == .raise ? .openCover : .closeCover
            d.domain = .cover
            return .success(d)
        case .warmer, .cooler:
            // "reading lamp a bit warmer, like 2700K": the colour temperature said is the setting.
            if target == .light, let number, number.quantity.unit == .kelvin {
                return setValue(number, percentIntent: .lightSet)
            }
            if target != nil && target != .climate { return .failure(.unsure("'warmer' or 'cooler' for a \(target!)")) }
            if let number, relative != true, number.position > 0, s.words[number.position - 1] == "to" {
                return setValue(number, percentIntent: .notACommand)
            }
            return temperature(up: verb.kind == .warmer, number, &d)
        case .up, .down:
            let degrees = [.celsius, .fahrenheit, .degrees].contains(number?.quantity.unit)
            if target == .climate || temperatureWords || degrees {
                // "turn the heating up two degrees" is a step; "up to 22" a level.
                if let number, relative != true, s.isLevel(number) { return setValue(number, percentIntent: .notACommand) }
                return temperature(up: verb.kind == .up, number, &d)
            }
            if let number, number.quantity.unit != .percent || relative == false {
                if relative == true { return .failure(.unsure("a relative change without a unit")) }
                return setValue(number, percentIntent: .lightSet)
            }
            return brightness(up: verb.kind == .up, number, relative, color, &d, s)
        case .turnOn:
            if let number { return setValue(number, percentIntent: .lightSet) }
            if let color {
                d.intent = .lightSet
                d.color = color
                d.domain = .light
                return .success(d)
            }
            d.intent = .turnOn
            if verb.indirect { d.domain = verb.domain ?? .light }
            return .success(d)
        case .turnOff:
            if number != nil || color != nil { return .failure(.unsure("'off' with a value")) }
            d.intent = .turnOff
            return .success(d)
        case .set:
            if let number { return setValue(number, percentIntent: color != nil ? .lightSet : .notACommand) }
            if let color {
                d.intent = .lightSet
                d.color = color
                d.domain = .light
                return .success(d)
            }
            return .failure(.unsure("'set' without a value"))
        case .unsupported(let why):
            return .failure(.unsure(why))
        }
    }

    static func brightness(
        up: Bool, _ number: MatcherSentence.Number?, _ relative: Bool?, _ color: String?, _ d: inout Decision,
        _ s: MatcherSentence
    ) -> Result<Decision, MatcherFailure> {
        if color != nil { return .failure(.unsure("a colour with a relative change")) }
        d.intent = up ? .brightnessUp : .brightnessDown
        d.domain = .light
        if let number {
            guard number.quantity.unit == .percent || relative == true else {
                return .failure(.unsure("a number without a unit"))
            }
            d.value = abs(number.quantity.value)
            d.unit = .percent
        }
        return .success(d)
    }

    /// A set-point moved by a step: "two degrees warmer", "turn the heating up".
    static func temperature(up: Bool, _ number: MatcherSentence.Number?, _ d: inout Decision)
        -> Result<Decision, MatcherFailure>
    {
        d.intent = up ? .temperatureUp : .temperatureDown
        d.domain = .climate
        if let number {
            switch number.quantity.unit {
            case .celsius: d.unit = .celsius
            case .fahrenheit: d.unit = .fahrenheit
            case .degrees, .number: break
            case .percent, .kelvin: return .failure(.unsure("a temperature step in \(number.quantity.unit)"))
            }
            d.value = abs(number.quantity.value)
        }
        return .success(d)
    }

    /// How many colour names the words hold, a longer name counted once ("warm white", not also "white").
    static func colorCount(_ s: MatcherSentence) -> Int {
        var covered = Set<Int>()
        var count = 0
        for name in NamedColor.names.sorted(by: { $0.count > $1.count }) {
            let parts = name.split(separator: " ").map(String.init)
            guard parts.count <= s.words.count else { continue }
            for i in 0...(s.words.count - parts.count) where Array(s.words[i..<i + parts.count]) == parts {
                if covered.isDisjoint(with: i..<i + parts.count) {
                    covered.formUnion(i..<i + parts.count)
                    count += 1
                }
            }
        }
        return count
    }

    /// The longest colour name in the words ("warm white" before "white").
    static func findColor(_ s: inout MatcherSentence) -> String? {
        var best: (name: String, at: Int, length: Int)?
        for name in NamedColor.names {
            let parts = name.split(separator: " ").map(String.init)
            guard parts.count <= s.words.count else { continue }
            for i in 0...(s.words.count - parts.count) where Array(s.words[i..<i + parts.count]) == parts {
                if best == nil || parts.count > best!.length { best = (name, i, parts.count) }
            }
        }
        guard let best else { return nil }
        for i in best.at..<best.at + best.length { s.explain(i) }
        s.explain(["colour", "color"])
        return best.name
    }

    /// The kind of device the words name: the first device's type, else the first device noun's.
    static func targetDomain(_ s: MatcherSentence, catalog: Catalog) -> DeviceType? {
        for segment in s.segments {
            for mention in segment.mentions {
                switch mention.kind {
                case .devices(let ids):
                    if let id = ids.first, let device = catalog.device(id) { return device.type }
                case .noun(let word, _):
                    return word == "temperature" ? .climate : MatcherLexicon.domainNouns[word]
                default: continue
                }
            }
        }
        return nil
    }
}
