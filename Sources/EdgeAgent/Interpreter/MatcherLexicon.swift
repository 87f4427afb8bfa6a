/// The fixed words of the fast-path matcher: verbs, the nouns that name a kind of device, the words that may be
/// ignored, and the words that mean the matcher must not decide (negation, time, conditions).
enum MatcherLexicon {
    /// "lights" → "light", "blinds" → "blind"; only for comparing nouns.
    static func singular(_ word: String) -> String {
        if word.count > 3, word.hasSuffix("s"), !word.hasSuffix("ss") { return String(word.dropLast()) }
        return word
    }

    /// Nouns for a kind of device, by singular form.
    static let domainNouns: [String: DeviceType] = [
        "light": .light, "lamp": .light, "lighting": .light, "bulb": .light, "lamp light": .light,
        "blind": .cover, "shutter": .cover, "curtain": .cover, "shade": .cover, "cover": .cover,
        "fan": .fan, "thermostat": .climate, "heating": .climate, "heater": .climate, "heizung": .climate,
        "lock": .lock, "door": .cover, "tv": .mediaPlayer, "television": .mediaPlayer, "sensor": .sensor,
    ]

    /// Words the matcher reads past: articles, prepositions, politeness the normaliser did not mark.
    static let ignorable: Set<String> = [
        "the", "a", "an", "my", "our", "in", "on", "of", "to", "at", "for", "me", "us", "please", "now", "right",
        "room", "it", "is", "are", "its", "all", "every", "everything", "and", "up", "down", "by", "just", "quickly",
        "light", "lights", "the", "that", "this", "those", "these", "then", "also", "both", "area", "level", "too",
        "brightness", "temperature", "value", "percent", "degrees", "degree", "position", "about", "here", "there",
        "some", "bit", "little", "lot", "way", "entire", "whole", "house", "home", "with", "let", "go", "be", "any",
        "can", "could", "possibly", "basically", "like", "so", "actually", "also",
    ]

    /// Words after which the matcher must not decide: negation, time, conditions, hedged wishes.
    static let vetoWords: Set<String> = [
        // Not "before": doing it now is always before.
        "not", "never", "dont", "don't", "no", "when", "if", "unless", "after", "until", "later",
        "tomorrow", "tonight", "minute", "minutes", "hour", "hours", "second", "seconds", "timer", "schedule",
        "o'clock", "am", "pm", "sunset", "sunrise", "dusk", "dawn", "midnight", "noon", "or", "but", "except",
        "should", "yesterday", "again", "instead", "was", "were",
        "did", "wish", "maybe", "why", "who", "where", "whether", "remind", "reminder", "alarm",
        // Statements about the past or the state, not requests.
        "turned", "switched", "keep", "keeps", "been", "has", "have", "had", "left", "leave",
    ]

    /// The first veto word of `words`, if any, outside the positions a verb reading has accounted for ("no need
    /// for the light"); "am" only as a time ("7 am"), not in "I am".
    static func veto(in words: [String], from set: Set<String> = vetoWords, ignoring: Set<Int> = []) -> String? {
        words.indices.first { i in
            !ignoring.contains(i) && set.contains(words[i]) && !(words[i] == "am" && i > 0 && words[i - 1] == "i")
        }.map { words[$0] }
    }

    /// Words that open a question about state.
    static let questionOpeners: Set<String> = [
        "is", "are", "what", "how", "which", "whats", "does", "do", "did", "has", "have",
    ]

    /// Openings that make the rest a question about state: "did I lock the front door".
    static let questionFrames: [[String]] = [
        ["i", "wonder", "if"], ["i", "wonder", "whether"], ["check", "whether"], ["check", "if"],
        ["tell", "me", "if"], ["tell", "me", "whether"], ["do", "you", "know", "if"], ["do", "you", "know", "whether"],
    ]

    /// Of the veto words, those that still keep the matcher out of a question: time and hypotheticals. "Did I
    /// lock the door" and "have I left the lamp on" ask about now.
    static let questionVetoes = vetoWords.subtracting([
        "did", "has", "have", "had", "left", "leave", "turned", "switched", "been", "if", "whether", "keep", "keeps", "or",
    ])

    /// Words that say the sentence is about the home even without a device name: the matcher then never answers
    /// "not a command".
    static let homeWords: Set<String> = [
        "dark", "bright", "cold", "warm", "hot", "cool", "chilly", "freezing", "dim", "brighter", "dimmer",
        "darker", "warmer", "cooler", "light", "lights", "lamp", "lamps", "temperature", "heating", "heat",
        "door", "doors", "window", "windows", "blind", "blinds", "on", "off", "open", "close", "lock", "unlock",
    ]

    static let allWords: Set<String> = ["all", "every", "everything", "entire", "whole"]
    /// What "all" is not a quantity before: "open the blinds all the way", "leave it on all night".
    static let allNotQuantity: Set<String> = [
        "way", "night", "day", "morning", "afternoon", "evening", "week", "weekend", "along", "right", "good", "set",
    ]

    /// Whether the words ask for every device of a kind or place ("all the lights", "everything upstairs"), not
    /// "all the way" or "at all".
    static func saysAll(_ words: [String]) -> Bool {
        words.indices.contains { i in
            guard allWords.contains(words[i]) else { return false }
            guard words[i] == "all" else { return true }
            if i > 0 && words[i - 1] == "at" { return false }
            let next = i + 1 < words.count && words[i + 1] == "the" ? i + 2 : i + 1
            return next >= words.count || !allNotQuantity.contains(words[next])
        }
    }

    /// German command words as the matcher reads them (folded), used only in a sentence that has one of
    /// `germanMarkers`: "Licht in der Küche an", "Heizung auf 21 Grad", "ist die Haustür abgeschlossen?".
    /// "Licht" is the lighting of a place, as "the lights".
    static let german: [String: String] = [
        "der": "the", "die": "the", "das": "the", "den": "the", "dem": "the", "im": "in", "auf": "to", "zu": "to",
        "und": "and", "alle": "all", "alles": "everything", "bitte": "please", "mach": "make", "mache": "make",
        "machen": "make", "schalte": "switch", "schalten": "switch", "stelle": "set", "stell": "set", "an": "on",
        "ein": "a", "aus": "off", "einschalten": "on", "anschalten": "on", "anmachen": "on", "ausschalten": "off",
        "ausmachen": "off", "offnen": "open", "oeffnen": "open", "aufmachen": "open", "schliessen": "close",
        "zumachen": "close", "ist": "is", "sind": "are", "es": "it", "wie": "how", "kalter": "colder",
        "heller": "brighter", "dunkler": "darker", "licht": "lights", "lichter": "lights", "lampen": "lamps",
        "grad": "degrees", "prozent": "percent", "rot": "red", "grun": "green", "blau": "blue", "gelb": "yellow",
        "weiss": "white", "lila": "purple", "abgeschlossen": "locked", "zugesperrt": "locked", "offen": "open",
        "geschlossen": "closed", "warm": "warm", "kalt": "cold", "dunkel": "dark", "hell": "bright",
        "starten": "start", "starte": "start", "auch": "also", "noch": "also", "aktivieren": "activate", "stoppen": "stop",
        // "Könntest du bitte …", "Kannst du …": a polite question is a request.
        "konntest": "please", "kannst": "please", "du": "please",
        "nicht": "not", "kein": "no", "keine": "no", "nie": "never",
    ]
    /// German verbs that end a sentence after a modal ("Kannst du das Licht heller machen?"), read as the command.
    static let germanFinal: [String: String] = ["stellen": "set", "machen": "make", "schalten": "switch", "drehen": "turn"]
    static let germanConditions: Set<String> = ["hell", "dunkel", "kalt", "warm", "heiss", "stickig"]
    static let germanModals: Set<String> = ["konntest", "kannst", "konnen", "konnten", "wurdest", "wurden", "kann", "konnte"]
    /// German separable verbs: "Schließ bitte die Haustür ab" (first word + last word).
    static let germanSeparable: [String: [String: String]] = [
        "ab": ["schliess": "lock", "schliesse": "lock", "sperr": "lock", "sperre": "lock"],
        "auf": ["schliess": "unlock", "schliesse": "unlock", "sperr": "unlock", "sperre": "unlock"],
    ]
    /// German particles that are the verb when they end the sentence: "Garagentor auf", "Rollladen zu".
    static let germanLast: [String: String] = ["auf": "open", "zu": "close", "ein": "on"]

    /// Words that only German has among commands; one of them makes the sentence German.
    static let germanMarkers: Set<String> = [
        "der", "das", "dem", "im", "ist", "und", "bitte", "mach", "mache", "machen", "schalte", "schalten", "stelle",
        "stell", "auf", "zu", "es", "wie", "alle", "alles", "einschalten", "anschalten", "anmachen", "ausschalten",
        "ausmachen", "offnen", "oeffnen", "aufmachen", "schliessen", "zumachen", "licht", "lichter", "grad", "prozent",
        "rot", "grun", "blau", "gelb", "weiss", "abgeschlossen", "zugesperrt", "geschlossen", "kalter", "heller",
        "dunkler", "kalt", "dunkel", "auch", "starten", "schliess", "schliesse", "sperr", "sperre", "kannst", "konntest", "nicht",
    ]

    /// Words that ask for part of a movement ("open the blinds a little", "garage door halfway open"): opening or
    /// closing all the way is not what was said.
    static let partialWords: Set<String> = ["little", "bit", "slightly", "halfway", "partly", "partially", "half", "more"]

    /// Why the words ask nothing of a device, if they plainly don't: a request not to act ("don't turn on the
    /// lights"), a how-to or advice question ("how do I descale the coffee machine?"), shopping ("recommend a good
    /// floor lamp"), or a story about the past ("my sister left all the lights on last night"). Anything less
    /// plain is left to the veto words.
    static func nothingToDo(_ words: [String], isQuestion: Bool) -> String? {
        if let first = words.first, ["dont", "never"].contains(first) || words.starts(with: ["do", "not"]) {
            let next = words.dropFirst(first == "do" ? 2 : 1).first ?? ""
            if MatcherClauses.clauseVerbs.contains(next) { return "a request not to act" }
        }
        if let frame = adviceFrames.first(where: { words.starts(with: $0) }) {
            return "'\(frame.joined(separator: " "))' asks how, not for a change"
        }
        if let word = words.first(where: shoppingWords.contains) { return "'\(word)': shopping, not a device command" }
        if !isQuestion, isStory(words) { return "a story about the past" }
        return nil
    }

    /// "My sister left all the lights on last night", "I think I left it on this morning": past tense with a time
    /// in the past, or two past verbs, and no command verb first.
    static func isStory(_ words: [String]) -> Bool {
        if words.first.map(MatcherClauses.clauseVerbs.contains) ?? false { return false }
        let pastTime = words.indices.contains { i in
            words[i] == "yesterday" || words[i] == "ago"
                || (words[i] == "last" && i + 1 < words.count && lastWhat.contains(words[i + 1]))
        }
        let pastVerbs = words.filter(pastVerbs.contains).count
        let earlierToday = words.contains("earlier") || words.contains(["this", "morning"])
        return pastTime || (pastVerbs > 0 && earlierToday) || pastVerbs > 1
    }

    static let adviceFrames: [[String]] = [
        ["how", "do", "i"], ["how", "do", "you"], ["how", "do", "we"], ["how", "can", "i"], ["how", "can", "we"],
        ["how", "should", "i"], ["should", "i"], ["should", "we"], ["how", "much", "does"], ["how", "much", "do"],
    ]
    static let shoppingWords: Set<String> = ["recommend", "buy", "purchase", "cost", "price", "cheapest"]
    static let lastWhat: Set<String> = ["night", "week", "weekend", "month", "year", "time", "summer", "winter"]
    static let pastVerbs: Set<String> = [
        "was", "were", "had", "left", "switched", "turned", "broke", "broken", "forgot", "went", "came", "locked", "closed",
        "opened",
    ]

    /// Why a remark beside a request keeps the matcher out: a condition or time in it, or it opens with a negation
    /// ("don't, turn on the lights", "no wait, …").
    static func blocksAsRemark(_ words: [String]) -> String? {
        if let first = words.first, ["dont", "never", "no", "not"].contains(first) || words.starts(with: ["do", "not"]) {
            return first
        }
        return veto(in: words, from: blockingWords)
    }

    /// Openings of a wish for what an appliance gives ("I need a coffee"), as the normaliser spells them.
    static let wishFrames: [[String]] = [
        ["i", "could", "really", "murder"], ["i", "could", "really", "use"], ["i", "could", "really", "do", "with"],
        ["i", "could", "murder"], ["i", "could", "use"], ["i", "could", "do", "with"], ["i", "would", "kill", "for"],
        ["i", "would", "really", "love"], ["i", "would", "love"], ["i", "would", "like"], ["i", "am", "dying", "for"],
        ["i", "really", "need"], ["i", "really", "want"], ["i", "need"], ["i", "want"], ["i", "fancy"],
        ["i", "am", "desperate", "for"], ["i", "am", "gagging", "for"],
    ]
    /// The words a wish may wrap around what it asks for ("a nice hot cup of coffee right now").
    static let wishFillers: Set<String> = [
        "cup", "mug", "nice", "hot", "fresh", "strong", "warm", "good", "proper", "another", "quick", "big", "large",
        "small", "really", "right", "now", "soon", "first", "thing", "morning", "please", "for", "me", "some",
    ]
    /// Words for what an appliance gives, as its name says it ("an espresso" is coffee).
    static let productSynonyms: [String: String] = [
        "espresso": "coffee", "espressos": "coffee", "latte": "coffee", "cappuccino": "coffee", "americano": "coffee",
        "flat": "coffee", "brew": "coffee", "towels": "towel",
    ]

    /// Words that open a noun phrase: a part that starts with one and has no verb names an object.
    static let determiners: Set<String> = [
        "the", "a", "an", "my", "our", "his", "her", "their", "this", "that", "these", "those", "some",
    ]
    /// Verbs that make a part a clause of its own ("the kids are asleep").
    static let clauseMarkers: Set<String> = ["is", "are", "am", "was", "were", "be", "has", "have", "can", "will"]

    /// Words that stand for a device the sentence does not name ("turn it off", "dim them").
    static let pronouns: Set<String> = ["it", "them", "that", "this", "those", "these", "everything", "something"]

    /// Words that may go with a scene's name said on its own ("movie night please", "wake up scene").
    static let sceneWords: Set<String> = ["scene", "mode", "time", "please", "now"]

    /// Courtesy around a request that is not a condition on it: "if you could", "when you get a chance". Read past
    /// like "please"; "if" and "when" elsewhere still make the matcher stand back.
    static let politeFrames: [[String]] = [
        ["if", "it", "is", "not", "too", "much", "trouble"], ["if", "it", "is", "no", "trouble"],
        ["if", "that", "is", "ok", "with", "you"], ["if", "that", "is", "okay", "with", "you"],
        ["if", "that", "is", "alright", "with", "you"], ["if", "that", "is", "all", "right"],
        ["i", "was", "hoping", "you", "could"], ["i", "was", "hoping", "you", "would"], ["i", "am", "hoping", "you", "can"],
        ["i", "was", "hoping", "to"], ["i", "hoped", "you", "could"],
        ["if", "you", "do", "not", "mind"], ["if", "you", "dont", "mind"], ["if", "that", "is", "ok"], ["if", "that", "is", "okay"],
        ["if", "that", "is", "alright"], ["if", "that", "is", "fine"],
        ["if", "you", "could"], ["if", "you", "can"], ["if", "you", "would"], ["if", "possible"],
        ["when", "you", "get", "a", "chance"], ["when", "you", "get", "a", "sec"], ["when", "you", "get", "a", "second"],
        ["when", "you", "get", "a", "moment"], ["when", "you", "get", "a", "minute"], ["when", "you", "have", "a", "moment"],
        ["when", "you", "have", "a", "minute"], ["when", "you", "have", "a", "second"], ["whenever", "you", "can"],
        ["i", "would", "really", "appreciate", "it"], ["i", "would", "appreciate", "it"],
        ["would", "you", "be", "able", "to"], ["could", "you", "be", "able", "to"], ["are", "you", "able", "to"],
        ["would", "it", "be", "possible", "to"], ["is", "it", "possible", "to"], ["do", "you", "think", "you", "could"],
        ["would", "you", "be", "so", "kind", "as", "to"], ["would", "you", "mind"], ["do", "you", "mind"],
        ["you", "can"], ["you", "could"], ["be", "so", "kind", "as", "to"],
        ["i", "was", "wondering", "if", "you"], ["i", "was", "wondering", "whether", "you"], ["i", "wondered", "if", "you"],
    ]

    /// The positions in `words` that belong to a polite frame.
    static func politeFrameIndices(in words: [String]) -> Set<Int> {
        var out = Set<Int>()
        var i = 0
        while i < words.count {
            if let frame = politeFrames.first(where: { f in
                i + f.count <= words.count && zip(f, words[i...]).allSatisfy { $0 == $1 }
            }) {
                out.formUnion(i..<i + frame.count)
                i += frame.count
            } else {
                i += 1
            }
        }
        return out
    }

    /// "Would you mind switching on the coffee machine": the -ing form of a command verb is the verb.
    static let gerunds: [String: String] = [
        "switching": "switch", "turning": "turn", "putting": "put", "shutting": "shut", "powering": "power",
        "opening": "open", "closing": "close", "locking": "lock", "unlocking": "unlock", "dimming": "dim",
        "setting": "set", "raising": "raise", "lowering": "lower", "brightening": "brighten", "popping": "pop",
    ]

    /// Words of the jobs other assistants do (timers, reminders, music, writing): a sentence built on one is not
    /// a device command even when it mentions a device ("write a poem about lamps").
    static let otherJobs: Set<String> = [
        "timer", "alarm", "remind", "reminder", "reminders", "poem", "joke", "story", "song", "music", "playlist",
        "podcast", "play", "jazz", "radio", "call", "phone", "text", "email", "weather", "forecast", "outside", "outdoors", "recipe", "translate", "spell", "write",
    ]

    /// Words that keep the matcher out even in a part of the sentence that names no device: conditions and time
    /// ("if it gets dark, turn on the porch light"). A negated remark ("they can't sleep") does not; a part that
    /// opens with a negation does (`blocksAsRemark`).
    static let blockingWords: Set<String> = [
        "when", "if", "unless", "after", "until", "later", "tomorrow",
        "tonight", "minute", "minutes", "hour", "hours", "second", "seconds", "timer", "schedule", "o'clock", "pm",
        "sunset", "sunrise", "dusk", "dawn", "midnight", "noon",
        "am", "yesterday", "instead", "except",
    ]
}
