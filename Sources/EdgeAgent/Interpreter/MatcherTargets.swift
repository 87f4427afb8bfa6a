/// From the places, device names and device nouns of each "and"-separated part to the actions' targets. A target
/// is filled only from the words, a catalog alias or a single candidate; several candidates for one thing named
/// in the singular are `ambiguous`.
struct MatcherTargets {
    let catalog: Catalog
    let index: MatcherIndex

    /// Nouns that name every device of their kind, so "the kitchen lights" can stay area + domain.
    static let lightNouns: Set<String> = ["light", "lamp", "lighting", "bulb"]

    func resolve(_ s: MatcherSentence, _ d: MatcherIntent.Decision) -> Result<[Action], MatcherFailure> {
        var actions: [Action] = []
        var picked: [String] = []
        let segments = s.segments
        // The areas the words name, directly or through a named device ("the bedroom lamp and ceiling light").
        var areasBySegment: [(segment: Int, area: String)] = []
        for (k, segment) in segments.enumerated() {
            areasBySegment += segment.areas.map { (k, $0) }
            for mention in segment.devices {
                guard case .devices(let ids) = mention.kind, ids.count == 1, let device = catalog.device(ids[0])
                else { continue }
                areasBySegment.append((k, device.area))
            }
        }
        func action(area: String? = nil, floor: String? = nil, domain: DeviceType? = nil) -> Action {
            Action(d.intent, area: area, floor: floor, domain: domain, value: d.value, unit: d.unit, color: d.color)
        }
        func ambiguous(_ ids: [String], _ what: String) -> Result<[Action], MatcherFailure> {
            .failure(MatcherFailure(.ambiguous(ids, "'\(what)' could be any of \(ids.count) devices")))
        }

        for (k, segment) in segments.enumerated() {
            let places = segment.areas.map { Place.area($0) } + segment.floors.map { Place.floor($0) }
            if d.indirect && (places.count + segment.devices.count != 1 || segments.count != 1) {
                return .failure(.unsure("'too …' needs exactly one area or device"))
            }
            if !segment.scenes.isEmpty {
                guard d.intent == .turnOn, segment.devices.isEmpty, places.isEmpty else {
                    return .failure(.unsure("a scene can only be turned on"))
                }
                picked += segment.scenes
                continue
            }
            if !segment.devices.isEmpty {
                for mention in segment.devices {
                    guard case .devices(var ids) = mention.kind else { continue }
                    let name = mention.words.joined(separator: " ")
                    if !places.isEmpty {
                        let there = devices(in: places)
                        let here = Set(there.map(\.id))
                        var inPlace = ids.filter(here.contains)
                        let named = there.filter { index.device($0.id, contains: mention.words) }.map(\.id)
                        let kindNoun = mention.words.count == 1 ? MatcherLexicon.domainNouns[mention.words[0]] : nil
                        // "the blinds on the ground floor", "both heaters upstairs": an alias that is only a
                        // device noun, said in the plural, names every such device there.
                        if mention.plural || s.hasAll, kindNoun != nil {
                            if named.count > 1 { inPlace = named }
                            picked += inPlace
                            if !inPlace.isEmpty { continue }
                        }
                        if inPlace.isEmpty { inPlace = named }
                        // "die Heizung im Schlafzimmer": a device noun another device goes by names the one
                        // device of that kind there.
                        if inPlace.isEmpty, let kindNoun {
                            let ofKind = there.filter { $0.type == kindNoun }.map(\.id)
                            if ofKind.count == 1 { inPlace = ofKind }
                        }
                        guard !inPlace.isEmpty else {
                            return .failure(.unsure("no '\(name)' in \(places.map(\.id).joined(separator: ", "))"))
                        }
                        ids = inPlace
                    } else if areasBySegment.contains(where: { $0.segment != k }) {
                        let elsewhere = Set(areasBySegment.filter { $0.segment != k }.map(\.area))
                        if !ids.contains(where: { catalog.device($0).map { elsewhere.contains($0.area) } ?? false }) {
                            let alternatives = catalog.devices.filter {
                                elsewhere.contains($0.area) && index.device($0.id, contains: mention.words)
                            }.map(\.id)
                            if !alternatives.isEmpty { return ambiguous(ids + alternatives, name) }
                        } else if ids.count > 1 {
                            let there = inAreas(namedOutside: k, segments, ids)
                            if there.count == 1 { ids = there }
                        }
                    }
                    if ids.count > 1 { return ambiguous(ids, name) }
                    picked += ids
                }
                continue
            }
            var nouns = segment.nouns
            if nouns.isEmpty && !places.isEmpty {
                // "the kitchen and hall lights": a place alone borrows the noun of its neighbour.
                let neighbours = segments[(k + 1)...] + segments[..<k].reversed()
                if let borrowed = neighbours.first(where: { !$0.nouns.isEmpty && $0.devices.isEmpty }) {
                    nouns = borrowed.nouns
                }
            }
            if let noun = nouns.last {
                let domain = noun.word == "temperature" ? DeviceType.climate : MatcherLexicon.domainNouns[noun.word]
                let plural = noun.plural || s.hasAll
                if !places.isEmpty {
                    if plural, let domain, Self.lightNouns.contains(noun.word) {
                        actions += places.map { action(area: $0.area, floor: $0.floor, domain: domain) }
                        continue
                    }
                    // A light in a place is any of its lights, unless only one is called a lamp.
                    var candidates = matching(noun.word, domain, among: devices(in: places))
                    if Self.lightNouns.contains(noun.word), noun.word != "lamp" || candidates.count != 1 {
                        candidates = devices(in: places).filter { $0.type == .light }.map(\.id)
                    }
                    if candidates.isEmpty { return .failure(.unsure("no '\(noun.word)' there")) }
                    if candidates.count > 1 && !plural { return ambiguous(candidates, noun.word) }
                    picked += candidates
                    continue
                }
                var candidates = capable(of: d.intent, matching(noun.word, domain, among: catalog.devices))
                let there = inAreas(namedOutside: k, segments, candidates)
                if candidates.count > 1, !noun.plural, !s.hasAll, there.count == 1 { candidates = there }
                if s.hasAll, let domain, Self.lightNouns.contains(noun.word) {
                    actions.append(action(domain: domain))
                } else if s.hasAll, !candidates.isEmpty {
                    picked += candidates
                } else if candidates.count == 1 && !noun.plural {
                    picked += candidates
                } else if candidates.count == 2 && noun.plural && s.contains("both") {
                    picked += candidates
                } else if candidates.isEmpty {
                    return .failure(.unsure("no '\(noun.word)' in the catalog"))
                } else {
                    return ambiguous(candidates, noun.word)
                }
                continue
            }
            guard !places.isEmpty else { continue }
            switch d.intent {
            case .turnOn where d.domain == .light || (d.indirect && d.domain != nil):
                actions += places.map { action(area: $0.area, floor: $0.floor, domain: d.domain) }
            case .turnOn, .turnOff:
                guard s.hasAll else { return .failure(.unsure("which devices in \(places[0].id)?")) }
                actions += places.map { action(area: $0.area, floor: $0.floor) }
            case .getState:
                let asked = askedAbout(s, in: places)
                if asked.isEmpty { return .failure(.unsure("a question about a whole area")) }
                if asked.count > 1 { return ambiguous(asked, places[0].id) }
                picked += asked
            default:
                if d.domain == .light {
                    actions += places.map { action(area: $0.area, floor: $0.floor, domain: .light) }
                } else {
                    let needed = capability(d.intent)
                    func able(in places: [Place]) -> [String] {
                        devices(in: places).filter { d.domain == nil || $0.type == d.domain }
                            .filter { device in needed.map(device.has) ?? true }.map(\.id)
                    }
                    var candidates = able(in: places)
                    if candidates.isEmpty, d.domain == .climate {
                        // "it's chilly in the kitchen": a room without a thermostat of its own has its floor's.
                        candidates = able(in: places.compactMap { $0.area.flatMap(catalog.area)?.floor }.map(Place.floor))
                    }
                    if candidates.isEmpty { return .failure(.unsure("nothing there can do \(d.intent.rawValue)")) }
                    if candidates.count > 1 { return ambiguous(candidates, places[0].id) }
                    picked += candidates
                }
            }
        }
        if !picked.isEmpty {
            var unique: [String] = []
            for id in picked where !unique.contains(id) { unique.append(id) }
            actions.insert(Action(d.intent, devices: unique, value: d.value, unit: d.unit, color: d.color), at: 0)
        }
        if actions.isEmpty { return .failure(.unsure("no target")) }
        return .success(actions.map { opensALock($0, lockSaid: s.contains("lock")) })
    }

    /// Of `ids`, those in an area named in another part of the sentence: "the fan and the towel warmer in the
    /// bathroom" says the place once for the whole list.
    func inAreas(namedOutside k: Int, _ segments: [MatcherSentence.Segment], _ ids: [String]) -> [String] {
        let named = Set(segments.indices.filter { $0 != k }.flatMap { segments[$0].areas })
        return ids.filter { catalog.device($0).map { named.contains($0.area) } ?? false }
    }

    /// "Close the front door": closing a door that is only a lock locks it. Opening unlocks it only when the lock
    /// itself is named ("open the front door lock"): unlocking is the risky direction, and "open the front door"
    /// may ask for more than a lock can do.
    func opensALock(_ action: Action, lockSaid: Bool) -> Action {
        guard action.intent == .closeCover || (action.intent == .openCover && lockSaid), !action.devices.isEmpty,
            action.devices.allSatisfy({ id in
                catalog.device(id).map { $0.has(.lock) && !$0.has(.openClose) && !$0.has(.position) } ?? false
            })
        else { return action }
        var mapped = action
        mapped.intent = action.intent == .openCover ? .unlock : .lock
        return mapped
    }

    enum Place {
        case area(String)
        case floor(String)
        var id: String { switch self { case .area(let id), .floor(let id): id } }
        var area: String? { if case .area(let id) = self { id } else { nil } }
        var floor: String? { if case .floor(let id) = self { id } else { nil } }
    }

    func devices(in places: [Place]) -> [Device] {
        var out: [Device] = []
        for place in places {
            let found = place.area.map(catalog.devices(inArea:)) ?? catalog.devices(onFloor: place.id)
            for device in found where !out.contains(where: { $0.id == device.id }) { out.append(device) }
        }
        return out
    }

    /// Devices a noun names: those whose name or alias has the word, else those of its kind.
    func matching(_ word: String, _ domain: DeviceType?, among devices: [Device]) -> [String] {
        if word == "temperature" {
            return devices.filter {
                $0.type == .climate
                    || $0.type == .sensor
                        && (index.device($0.id, contains: ["temperature"]) || index.device($0.id, contains: ["thermometer"]))
            }.map(\.id)
        }
        let named = devices.filter { index.device($0.id, contains: [word]) }
        if !named.isEmpty { return named.map(\.id) }
        return devices.filter { $0.type == domain }.map(\.id)
    }

    /// What a question about a place asks for: "how warm is it in the kitchen" its thermometer (else its
    /// thermostat), "is anyone in the hallway" its motion or presence sensor.
    func askedAbout(_ s: MatcherSentence, in places: [Place]) -> [String] {
        let here = devices(in: places)
        if s.words.contains(where: Self.temperatureWords.contains) {
            let found = matching("temperature", .climate, among: here)
            let sensors = found.filter { catalog.device($0)?.type == .sensor }
            return sensors.isEmpty ? found : sensors
        }
        if s.words.contains(where: ["open", "closed", "shut"].contains) {
            return here.filter { $0.has(.openClose) || $0.has(.position) }.map(\.id)
        }
        if s.words.contains(where: ["locked", "unlocked", "lock"].contains) {
            return here.filter { $0.has(.lock) }.map(\.id)
        }
        if s.words.contains(where: Self.presenceWords.contains) {
            return here.filter { device in
                device.type == .sensor && Self.presenceSensorWords.contains { index.device(device.id, contains: [$0]) }
            }.map(\.id)
        }
        return []
    }

    static let temperatureWords: Set<String> = ["warm", "cold", "hot", "chilly", "temperature", "degrees"]
    static let presenceWords: Set<String> = [
        "anyone", "anybody", "someone", "somebody", "occupied", "movement", "moving", "motion", "activity",
    ]
    static let presenceSensorWords = ["motion", "presence", "occupancy"]

    /// Of the devices a noun names, those that can do the intent ("lock the door": the lock, not the garage
    /// door); for opening and closing a door, its lock too ("open the door" may mean unlock it). All of them when
    /// none can, so the validator names what is missing.
    func capable(of intent: Intent, _ ids: [String]) -> [String] {
        let able = ids.filter { id in
            guard let device = catalog.device(id) else { return false }
            return device.intents.contains(intent)
                || ((intent == .openCover || intent == .closeCover) && device.has(.lock))
        }
        return able.isEmpty ? ids : able
    }

    func capability(_ intent: Intent) -> Capability? {
        switch intent {
        case .climateSetTemperature: .targetTemperature
        case .setPosition: .position
        case .openCover, .closeCover: .openClose
        case .lock, .unlock: .lock
        case .brightnessUp, .brightnessDown: .brightness
        default: nil
        }
    }
}
