/// The command verb of a sentence: what kind of change (or question) the words ask for.
struct MatcherVerb: Equatable {
    enum Kind: Equatable {
        case turnOn, turnOff, open, close, raise, lower, up, down, set, lock, unlock, query
        /// A relative set-point: "warmer", "it's too cold".
        case warmer, cooler
        /// Understood but not something the fast path does ("it's too loud").
        case unsupported(String)
    }

    var kind: Kind
    /// "kitchen light off": no verb, only the particle.
    var elliptical = false
    /// "it's too dark": a relative change that needs one clear area or device.
    var indirect = false
    /// The kind of device a stated condition asks for ("it's stuffy in the kids' room": its fan), when not lights.
    var domain: DeviceType? = nil

    static let onVerbs: Set<String> = ["start", "activate", "enable", "run"]
    static let offVerbs: Set<String> = ["stop", "deactivate", "disable", "kill"]
    static let particleVerbs: Set<String> = ["turn", "switch", "power", "put", "shut", "flip", "toggle", "pop"]
    static let downVerbs: Set<String> = ["dim", "darken", "dimmer", "darker", "reduce", "decrease"]
    static let upVerbs: Set<String> = ["brighten", "brighter", "increase", "boost", "higher"]
    static let warmerWords: Set<String> = ["warmer", "hotter"]
    static let coolerWords: Set<String> = ["cooler", "colder"]
    static let coldWords: Set<String> = ["cold", "chilly", "freezing", "cool"]
    static let hotWords: Set<String> = ["hot", "warm", "boiling"]
    /// What a stated condition of a place asks for, and of which devices when not the place's lights or thermostat:
    /// "it's dark in the study" (lights on), "I'm freezing in the lounge" (warmer), "it's boiling upstairs"
    /// (cooler), "it's stuffy in the kids' room" (its fan on). "black" only as "pitch black".
    static let conditions: [String: (kind: Kind, domain: DeviceType?)] = {
        var table: [String: (kind: Kind, domain: DeviceType?)] = [:]
        func add(_ words: [String], _ kind: Kind, _ domain: DeviceType? = nil) {
            for word in words { table[word] = (kind, domain) }
        }
        add(["dark", "gloomy", "black"], .turnOn)
        add(["cold", "chilly", "freezing", "nippy", "shivering", "frozen", "icy", "parky"], .warmer)
        add(["hot", "boiling", "roasting", "sweltering"], .cooler)
        // Air that wants moving.
        add(["stuffy", "steamy", "steamed", "humid", "muggy", "smoky", "burnt", "stinks", "sauna"], .turnOn, .fan)
        // Sun in the eyes.
        add(["eyes", "glare", "glaring", "blazing", "blinding", "dazzling"], .close, .cover)
        // "let some daylight into the living room".
        add(["daylight", "sunlight"], .open, .cover)
        return table
    }()
    /// Verbs that mean on with "up" after them.
    static let phrasalOn: Set<String> = ["fire", "power", "start", "boot", "spin"]
    /// Who is let in at a door.
    static let letIn: Set<String> = ["him", "her", "them", "me", "us", "someone", "everyone"]

    /// What follows "can't see" when it is about the light, not a thing out of sight.
    static let seeNothing: Set<String> = ["anything", "much", "properly", "well", "in", "here", "a", "thing"]

    /// Words that make a sentence a command of its own rather than a stated condition.
    static let commandWords = particleVerbs.union(onVerbs).union(offVerbs).union(setVerbs).union(downVerbs)
        .union(upVerbs).union(["on", "off", "open", "close", "shut", "raise", "lower", "lock", "unlock"])
    /// A command word, or a verb that starts a clause of its own after "and".
    static let anyCommandWord = commandWords.union(MatcherClauses.clauseVerbs)
    /// Every word that can carry a command or a relative change: never a device's head noun ("towel warmer").
    static let verbWords = commandWords.union(warmerWords).union(coolerWords).union(coldWords).union(hotWords)
        .union(upWords).union(downWords).union(conditions.keys).union(MatcherLexicon.homeWords)
    /// The words that make a sentence a statement of how a place is now.
    /// "its" too: "its a bit nippy in the kitchen", typed without the apostrophe.
    static let statementWords: Set<String> = ["is", "am", "feels", "feel", "smells", "stinks", "let", "its"]
    /// Words that put the condition elsewhere in time, make it hypothetical, or about the weather.
    static let notNowWords: Set<String> = [
        "was", "were", "will", "be", "been", "yesterday", "tomorrow", "tonight", "later", "if", "when", "outside",
        "weather", "forecast", "not", "never", "no",
    ]
    static let upWords: Set<String> = ["up", "hoch", "rauf"]
    static let downWords: Set<String> = ["down", "runter", "herunter"]
    static let germanLocks: [String: Kind] = [
        "abschliessen": .lock, "abschließen": .lock, "zusperren": .lock, "aufschliessen": .unlock,
        "aufschließen": .unlock, "aufsperren": .unlock,
    ]
    static let ensuredStates: [String: Kind] = [
        "locked": .lock, "unlocked": .unlock, "on": .turnOn, "off": .turnOff, "closed": .close, "shut": .close,
        "open": .open,
    ]

    /// What a question about the past state of a device may say: "did I leave the garage open".
    static let stateVerbs: Set<String> = [
        "i", "we", "you", "lock", "leave", "left", "turn", "turned", "switch", "switched", "close", "shut", "open",
        "put", "forget", "forgot", "to",
    ]
    static let setVerbs: Set<String> = ["set", "make", "change", "adjust", "put", "turn", "bring", "switch"]
    static let queryWords: Set<String> = [
        "anyone", "anybody", "someone", "somebody", "moving", "around", "movement", "motion", "anything", "picked",
        "detected", "noticed", "bright", "moment",
        "what", "how", "which", "whats", "is", "are", "does", "do", "on", "off", "open", "closed", "locked",
        "unlocked", "state", "status", "running", "still", "current", "currently", "reading", "level", "set",
    ]

    /// "it's cold in the bedroom", "the garden is so dark", "the bedroom feels chilly": a statement in the present
    /// of one condition word and nothing else the sentence asks for, said to have the place changed. Its words are
    /// explained here; the place must still be named (one area, floor or device), as for "too …".
    static func condition(_ s: inout MatcherSentence) -> MatcherVerb? {
        let w = s.words
        // "I can't see a thing in the garage": as dark as "it's dark".
        if let see = w.indices.first(where: { $0 > 0 && w[$0] == "see" && ["not", "barely", "hardly"].contains(w[$0 - 1]) }),
            see + 1 < w.count, seeNothing.contains(w[see + 1]) || w[(see + 1)...].starts(with: ["a", "thing"]),
            !w.contains(where: commandWords.contains), !w.contains(where: notNowWords.subtracting(["not"]).contains)
        {
            s.readNegation(see - 1)
            s.explain(see)
            s.explain(["i", "can", "a", "thing", "anything", "in", "here"])
            return MatcherVerb(kind: .turnOn, indirect: true)
        }
        // "on my monitor" is a place, not the particle.
        let commanding = w.indices.contains { i in
            commandWords.contains(w[i]) && !(w[i] == "on" && i + 1 < w.count && MatcherLexicon.determiners.contains(w[i + 1]))
        }
        // "the bedroom's freezing": the "'s" of a place is "is".
        let possessive = s.text.original.contains("'s ") || s.text.original.contains("\u{2019}s ")
        guard w.contains(where: statementWords.contains) || possessive, !w.contains(where: notNowWords.contains),
            !commanding
        else { return nil }
        let found = w.indices.filter { i in
            conditions[w[i]] != nil && !s.explained[i] && (w[i] != "black" || (i > 0 && w[i - 1] == "pitch"))
        }
        guard let first = found.first.flatMap({ conditions[w[$0]] }),
            found.allSatisfy({ conditions[w[$0]].map { $0.kind == first.kind && $0.domain == first.domain } ?? false })
        else { return nil }
        for i in found { s.explain(i) }
        s.explain(statementWords.union(["it", "i", "so", "a", "bit", "really", "very", "pitch", "in", "here", "of", "all"]))
        return MatcherVerb(kind: first.kind, indirect: true, domain: first.domain)
    }

    static func read(_ s: inout MatcherSentence) -> MatcherVerb? {
        let w = s.words
        func has(_ word: String) -> Bool { w.contains(word) }
        func hasAny(_ set: Set<String>) -> Bool { w.contains(where: set.contains) }
        func explain(_ set: Set<String>) -> Void { s.explain(set) }

        // "… before I go to bed": done now, it is done before; the clause asks nothing more.
        if let before = w.firstIndex(of: "before"), before > 0, !s.segments.isEmpty {
            for i in before..<w.count { s.explain(i) }
        }
        // "I want the kitchen light on", "I'd like the reading lamp at 50%": a wish is a request.
        let wish = w.starts(with: ["i", "want"]) || w.starts(with: ["i", "would", "like"])
        if wish { for i in 0..<(w[1] == "want" ? 2 : 3) { s.explain(i) } }
        if let first = w.first, MatcherLexicon.questionOpeners.contains(first) {
            explain(queryWords.union(first == "did" || first == "has" || first == "have" ? stateVerbs : []))
            return MatcherVerb(kind: .query)
        }
        // "No need for the light", "the printer isn't needed any more", "nobody's watching the telly": not wanted.
        if let off = unwanted(w) {
            for i in off { s.readNegation(i) }
            explain(["for", "is", "are", "any", "more", "anymore", "longer"])
            return MatcherVerb(kind: .turnOff)
        }
        // "did I lock the front door", "I wonder if I left the lamp on", "check whether the door is locked".
        if let frame = MatcherLexicon.questionFrames.first(where: { w.starts(with: $0) }) {
            for i in frame.indices { s.explain(i) }
            explain(queryWords.union(stateVerbs))
            return MatcherVerb(kind: .query)
        }
        // "make sure the front door is locked", "ensure the heating is off": the state asked for.
        if let sure = w.indices.first(where: { w[$0] == "ensure" || (w[$0] == "make" && $0 + 1 < w.count && w[$0 + 1] == "sure") }) {
            let after = w[(sure + 1)...]
            let states = after.compactMap { ensuredStates[$0] }
            guard states.count == 1 else { return MatcherVerb(kind: .unsupported("'make sure' without one state")) }
            explain(Set(["make", "sure", "ensure", "is", "are", "that"]).union(ensuredStates.keys))
            return MatcherVerb(kind: states[0])
        }
        // "fire up the coffee maker", "power up the printer": on.
        // "heat up the towel rail" too, when nothing says how far.
        if let up = w.firstIndex(of: "up"), up > 0,
            phrasalOn.contains(w[up - 1]) || (up == 1 && w[0] == "heat" && s.quantities.isEmpty)
        {
            s.explain(up - 1)
            s.explain(up)
            return MatcherVerb(kind: .turnOn)
        }
        // "light up the backyard": its lights.
        if w.starts(with: ["light", "up"]) {
            s.explain(0)
            s.explain(1)
            return MatcherVerb(kind: .turnOn, indirect: true)
        }
        // "the courier is at the door, let him in": unlock.
        if let let_ = w.firstIndex(of: "let"), let_ + 2 < w.count, letIn.contains(w[let_ + 1]), w[let_ + 2] == "in" {
            for i in let_...(let_ + 2) { s.explain(i) }
            return MatcherVerb(kind: .unlock)
        }
        if has("unlock") {
            explain(["unlock"])
            return MatcherVerb(kind: .unlock)
        }
        if w.first == "lock" || w.first == "secure" || w.first == "bolt" {
            s.explain(0)
            return MatcherVerb(kind: .lock)
        }
        // German, as the last word: "Haustür abschließen", "Haustür aufschließen".
        if let last = w.last, germanLocks[last] != nil {
            s.explain(w.count - 1)
            return MatcherVerb(kind: germanLocks[last]!)
        }
        if let too = w.firstIndex(of: "too"), too + 1 < w.count {
            explain(["too", "in", "here", "getting", "out", "far", "way"])
            switch w[too + 1] {
            case "dark":
                // Said when the lights are off more often than when they are low: switch them on.
                s.explain(too + 1)
                return MatcherVerb(kind: .turnOn, indirect: true)
            case "dim":
                s.explain(too + 1)
                return MatcherVerb(kind: .up, indirect: true)
            case "bright":
                s.explain(too + 1)
                return MatcherVerb(kind: .down, indirect: true)
            case let word where coldWords.contains(word):
                s.explain(too + 1)
                return MatcherVerb(kind: .warmer, indirect: true)
            case let word where hotWords.contains(word):
                s.explain(too + 1)
                return MatcherVerb(kind: .cooler, indirect: true)
            default: return MatcherVerb(kind: .unsupported("'too \(w[too + 1])' has no relative action"))
            }
        }
        if let condition = condition(&s) { return condition }
        // German "Wohnzimmerlampe an" / "Licht aus": only as the last word.
        let german: [String: String] = ["an": "on", "ein": "on", "aus": "off"]
        let last = german[w.last ?? ""]
        let ons = particleIndices(of: "on", in: s) + (last == "on" ? [w.count - 1] : [])
        // "lights out in the master bedroom".
        let outs = w.indices.filter { w[$0] == "out" && $0 > 0 && (w[$0 - 1] == "light" || w[$0 - 1] == "lights") }
        let offs = particleIndices(of: "off", in: s) + (has("shut") && has("down") ? [0] : [])
            + (last == "off" ? [w.count - 1] : []) + outs
        for i in outs { s.explain(i) }
        if last != nil { s.explain(w.count - 1) }
        let particleVerb = hasAny(particleVerbs)
        if !ons.isEmpty || !offs.isEmpty {
            if !ons.isEmpty && !offs.isEmpty {
                // "kitchen light on or off?": a question about its state.
                if s.isQuestion && has("or") {
                    explain(queryWords.union(["or"]))
                    return MatcherVerb(kind: .query)
                }
                return MatcherVerb(kind: .unsupported("both 'on' and 'off'"))
            }
            explain(particleVerbs.union(["on", "off", "down"]))
            let elliptical = !particleVerb && !hasAny(onVerbs.union(offVerbs))
            if elliptical && s.isQuestion { return MatcherVerb(kind: .query) }
            if elliptical && (has("is") || has("are")) {
                return MatcherVerb(kind: .unsupported("a statement about a state, not a command"))
            }
            return MatcherVerb(kind: ons.isEmpty ? .turnOff : .turnOn, elliptical: elliptical)
        }
        if has("open") || has("close") || has("shut") {
            if has("open") && (has("close") || has("shut")) { return MatcherVerb(kind: .unsupported("open and close")) }
            explain(["open", "close", "shut", "up"])
            return MatcherVerb(kind: has("open") ? .open : .close)
        }
        if has("raise") || has("lift") {
            explain(["raise", "lift", "up"])
            return MatcherVerb(kind: .raise)
        }
        if has("lower") || w.first == "drop" {
            explain(["lower", "drop", "down"])
            return MatcherVerb(kind: .lower)
        }
        // Not inside a name: "turn on the towel warmer" is the device.
        let free = w.indices.filter { !s.explained[$0] }.map { w[$0] }
        if free.contains(where: warmerWords.union(coolerWords).contains) {
            explain(warmerWords.union(coolerWords).union(["make", "it", "a", "bit", "little", "turn", "set"]))
            return MatcherVerb(kind: free.contains(where: warmerWords.contains) ? .warmer : .cooler)
        }
        if hasAny(downVerbs) {
            explain(downVerbs.union(["turn", "make", "down", "set"]))
            return MatcherVerb(kind: .down)
        }
        if hasAny(upVerbs) {
            explain(upVerbs.union(["turn", "make", "up", "set"]))
            return MatcherVerb(kind: .up)
        }
        if has("turn") && (has("up") || has("down")) {
            explain(["turn", "up", "down"])
            return MatcherVerb(kind: has("up") ? .up : .down)
        }
        if hasAny(onVerbs) {
            explain(onVerbs)
            return MatcherVerb(kind: .turnOn)
        }
        if hasAny(offVerbs) {
            explain(offVerbs)
            return MatcherVerb(kind: .turnOff)
        }
        // "bedroom blinds down", "pull the blinds up", "put the garage door up", "Rollladen runter": up or down
        // with no level raises or lowers what the words name (MatcherIntent requires it to be a device).
        // "heating up half a degree", "the heating could go down a bit": with a thermostat, a step.
        let freeUp = free.contains(where: upWords.contains)
        if s.quantities.count <= 1 && freeUp != free.contains(where: downWords.contains) {
            explain(upWords.union(downWords).union(["pull", "roll", "put", "bring", "move", "go"]))
            return MatcherVerb(kind: freeUp ? .raise : .lower, elliptical: true)
        }
        // "bedroom blinds to 75 percent", "kitchen light at 40%": a level with no verb sets it.
        if s.quantities.count == 1, let n = s.quantities.first, s.isLevel(n), !hasAny(setVerbs)
        {
            return MatcherVerb(kind: .set, elliptical: true)
        }
        if let first = w.first, setVerbs.contains(first) {
            explain(setVerbs)
            return MatcherVerb(kind: .set)
        }
        // "bedroom heating 16 please", "nightlight pink", "bedside lamp warm white": a device, then its new value.
        let valueAfterName = s.quantities.count == 1 && s.deviceStarts.contains { $0 < s.quantities[0].position }
        let colourOnly = s.quantities.isEmpty && MatcherIntent.colorCount(s) == 1
        let placeNamed = s.segments.contains { !$0.areas.isEmpty || !$0.floors.isEmpty }
        if valueAfterName || colourOnly, !s.deviceStarts.isEmpty || (colourOnly && placeNamed), !s.isQuestion,
            !hasAny(statementWords),
            !hasAny(["are", "was", "were"])
        {
            return MatcherVerb(kind: .set, elliptical: true)
        }
        if wish && s.quantities.count == 1 {
            return MatcherVerb(kind: .set)
        }
        if s.isQuestion {
            explain(queryWords)
            return MatcherVerb(kind: .query)
        }
        return nil
    }

    /// The words saying a device is not wanted, if they do: "no need for", "not needed", "nobody is watching".
    static func unwanted(_ w: [String]) -> [Int]? {
        // "No need to turn on the printer" asks for nothing.
        if w.contains(where: anyCommandWord.contains) { return nil }
        for i in w.indices.dropLast() {
            if w[i] == "no" && w[i + 1] == "need" { return [i, i + 1] }
            if w[i] == "not" && (w[i + 1] == "needed" || w[i + 1] == "used") { return [i, i + 1] }
            if ["nobody", "noone"].contains(w[i]) {
                let rest = w[(i + 1)...].prefix(2)
                if let used = rest.firstIndex(where: ["watching", "using", "needs"].contains) {
                    return Array(i...used)
                }
            }
        }
        return nil
    }

    /// Where "on"/"off" is the verb's particle, not a preposition ("the lights on the first floor").
    static func particleIndices(of particle: String, in s: MatcherSentence) -> [Int] {
        let w = s.words
        return w.indices.filter { i in
            guard w[i] == particle else { return false }
            if particle == "off" { return true }
            // A preposition only in "<device> on the <floor>" or "everything on the <floor>": "turn on the
            // upstairs lights" is the particle.
            let afterDevice = s.deviceStarts.contains { $0 < i }
                || (i > 0 && ["everything", "all", "anything", "them", "things", "stuff", "off"].contains(w[i - 1]))
            guard afterDevice, i + 2 < w.count, w[i + 1] == "the" else { return true }
            return !s.floorStarts.contains(i + 2) && w[i + 2] != "floor"
        }
    }
}
