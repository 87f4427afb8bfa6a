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
        "fan": .fan, "thermostat": .climate, "heating": .climate, "heater": .climate,
        "lock": .lock, "tv": .mediaPlayer, "television": .mediaPlayer, "sensor": .sensor,
    ]

    /// Words the matcher reads past: articles, prepositions, politeness the normaliser did not mark.
    static let ignorable: Set<String> = [
        "the", "a", "an", "my", "our", "in", "on", "of", "to", "at", "for", "me", "us", "please", "now", "right",
        "room", "it", "is", "are", "its", "all", "every", "everything", "and", "up", "down", "by", "just", "quickly",
        "light", "lights", "the", "that", "this", "those", "these", "then", "also", "both", "area", "level", "too",
        "brightness", "temperature", "value", "percent", "degrees", "degree", "position", "about", "here", "there",
        "some", "bit", "little", "lot", "way", "entire", "whole", "house", "home", "with", "let", "go", "be",
    ]

    /// Words after which the matcher must not decide: negation, time, conditions, hedged wishes.
    static let vetoWords: Set<String> = [
        "not", "never", "dont", "don't", "no", "when", "if", "unless", "after", "before", "until", "later",
        "tomorrow", "tonight", "minute", "minutes", "hour", "hours", "second", "seconds", "timer", "schedule",
        "o'clock", "am", "pm", "or", "but", "except", "should", "yesterday", "again", "instead", "was", "were",
        "did", "wish", "maybe", "why", "who", "where", "whether",
        // Statements about the past or the state, not requests.
        "turned", "switched", "keeps", "been", "has", "have", "had", "left",
    ]

    /// The first veto word of `words`, if any; "am" only as a time ("7 am"), not in "I am".
    static func veto(in words: [String]) -> String? {
        words.indices.first { i in
            vetoWords.contains(words[i]) && !(words[i] == "am" && i > 0 && words[i - 1] == "i")
        }.map { words[$0] }
    }

    /// Words that open a question about state.
    static let questionOpeners: Set<String> = ["is", "are", "what", "how", "which", "whats", "does", "do", "did"]

    /// Words that say the sentence is about the home even without a device name: the matcher then never answers
    /// "not a command".
    static let homeWords: Set<String> = [
        "dark", "bright", "cold", "warm", "hot", "cool", "chilly", "freezing", "dim", "brighter", "dimmer",
        "darker", "warmer", "cooler", "light", "lights", "lamp", "lamps", "temperature", "heating", "heat",
        "door", "doors", "window", "windows", "blind", "blinds", "on", "off", "open", "close", "lock", "unlock",
    ]

    static let allWords: Set<String> = ["all", "every", "everything", "entire", "whole"]
}
