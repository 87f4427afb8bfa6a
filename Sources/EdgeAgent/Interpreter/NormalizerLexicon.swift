/// The fixed word lists of the normaliser: contractions, well-known misspellings, fillers and wake phrases, the
/// built-in command vocabulary that typos are corrected towards, the common words that must never be "corrected"
/// (with `NormalizerCommonWords`), and the words around an "of" that is meant as "off".
enum NormalizerLexicon {
    /// Contractions whose expansion is not the regular suffix rule.
    static let irregularContractions: [String: [String]] = [
        "can't": ["can", "not"], "won't": ["will", "not"], "shan't": ["shall", "not"], "ain't": ["is", "not"],
        "let's": ["let", "us"], "y'all": ["you", "all"],
    ]

    /// Words whose "'s" is "is" rather than a possessive.
    static let isContractionBases: Set<String> = [
        "it", "what", "that", "there", "here", "where", "who", "how", "he", "she", "when", "why", "this",
        "everything", "something", "nothing", "everyone", "someone",
    ]

    static let regularSuffixes: [(suffix: String, word: String)] = [
        ("n't", "not"), ("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'m", "am"), ("'d", "would"),
    ]

    /// "it's" → ["it", "is"], "don't" → ["do", "not"], "kitchen's" → ["kitchen"]; nil when there is no apostrophe.
    static func expandContraction(_ word: String) -> [String]? {
        guard word.utf8.contains(UInt8(ascii: "'")) else { return nil }
        if let words = irregularContractions[word] { return words }
        for (suffix, expansion) in regularSuffixes where word.hasSuffix(suffix) && word.count > suffix.count {
            return [String(word.dropLast(suffix.count)), expansion]
        }
        if word.hasSuffix("'s"), word.count > 2 {
            let base = String(word.dropLast(2))
            return isContractionBases.contains(base) ? [base, "is"] : [base]
        }
        return nil
    }

    static let fillerWords: Set<String> = [
        "please", "pls", "plz", "kindly", "hey", "hi", "hello", "ok", "okay", "um", "umm", "uh", "uhm", "er", "erm",
        "thanks", "yo",
    ]

    /// Longest first, so "would you mind" wins over "would you".
    static let fillerPhrases: [[String]] = [
        ["would", "you", "mind"], ["could", "you"], ["can", "you"], ["would", "you"], ["will", "you"],
        ["thank", "you"],
    ]

    /// Well-known misspellings and chat spellings, too far from the word meant (or too short) for the edit distance.
    /// Applied before fillers are marked, so "can u" is a hedge like "can you".
    static let commonMisspellings: [String: String] = [
        "teh": "the", "hte": "the", "nite": "night", "nites": "nights", "tonite": "tonight", "lite": "light",
        "lites": "lights", "brite": "bright", "thru": "through", "pls": "please", "plz": "please", "thx": "thanks",
        "u": "you", "ur": "your",
    ]

    /// Nouns naming a device besides the catalog's words: "of" right after one is "off" when no noun phrase follows
    /// ("the lights of in the kitchen"), but stays "of" in "the lights of the kitchen".
    static let deviceNouns: Set<String> = [
        "light", "lights", "lamp", "lamps", "lighting", "bulb", "bulbs", "fan", "fans", "heater", "heating", "tv",
        "radio", "music", "speaker", "plug", "socket", "thermostat",
    ]

    /// Words that cannot open the noun phrase after "of": "lights of in the kitchen" is "lights off in the kitchen".
    static let wordsAfterOff: Set<String> = [
        "in", "at", "and", "now", "then", "too", "again", "everywhere", "upstairs", "downstairs", "outside",
        "inside", "already", "immediately",
    ]

    /// Words that open a wake phrase: "hey jarvis", "ok google".
    static let wakeOpeners: Set<String> = ["hey", "ok", "okay", "hi", "hello"]

    static let defaultWakeWords: Set<String> = [
        "jarvis", "google", "siri", "alexa", "computer", "assistant", "mycroft", "cortana",
    ]

    /// Command verbs and device nouns, most frequent first: the order breaks ties between equally close corrections.
    static let commandWords: [String] = [
        "turn", "on", "off", "light", "lights", "lamp", "set", "switch", "dim", "brighten", "open", "close", "lock",
        "unlock", "temperature", "thermostat", "blinds", "curtains", "increase", "decrease", "warmer", "cooler",
        "brighter", "dimmer", "darker", "heating", "heater", "fan", "shades", "shutters", "door", "window", "garage",
        "all", "everything", "colour", "color", "brightness", "warm", "cool", "white", "percent", "degrees",
        "celsius", "fahrenheit", "kelvin", "raise", "lower", "start", "stop", "activate", "deactivate", "enable",
        "disable", "scene", "volume", "power", "lamps", "doors", "windows", "lighting", "ceiling", "thermostats",
    ]

    /// Correctly spelled common words within one or two edits of a command word ("look"/"lock", "night"/"light",
    /// "oven"/"open"): without this list they would be "corrected".
    static let protectedWords: Set<String> = [
        "the", "and", "for", "with", "from", "into", "onto", "this", "that", "these", "those", "then", "than", "them",
        "they", "there", "their", "here", "what", "when", "where", "which", "while", "much", "many", "more", "most",
        "less", "some", "very", "also", "just", "only", "make", "made", "like", "want", "need", "could", "would",
        "should", "will", "shall", "does", "done", "doing", "have", "been", "being", "were", "later", "today",
        "tonight", "morning", "evening", "night", "nights", "right", "rights", "might", "fight", "sight", "sights",
        "tight", "eight", "bright", "little", "lots", "back", "home", "room", "rooms", "house", "floor", "again",
        "still", "keep", "stay", "leave", "left", "both", "each", "every", "other", "another", "same", "over",
        "under", "above", "below", "about", "after", "before", "until", "cold", "dark", "look", "looks", "book",
        "cook", "cooker", "took", "take", "give", "went", "come", "came", "know", "think", "tell", "said", "show",
        "find", "time", "minute", "minutes", "hour", "hours", "second", "seconds", "play", "pause", "music", "song",
        "good", "nice", "great", "thing", "things", "feel", "feels", "clock", "block", "black", "blue", "green",
        "yellow", "pink", "purple", "orange", "glass", "class", "fine", "line", "mind", "kind", "wind", "lose",
        "loose", "lost", "oven", "damp", "camp", "lame", "limp", "lump", "burn", "torn", "turns", "luck", "lack",
        "rock", "sock", "dock", "poor", "odor", "pool", "tool", "fool", "coal", "coil", "worm", "ward", "farm",
        "harm", "warn", "town", "dawn", "gown", "step", "shop", "smart", "star", "stars", "stare", "chose", "clone",
        "closet", "blind", "blend", "blends", "tower", "mower", "lover", "power", "praise", "arise", "colon",
        "dinner", "winner", "simmer", "summer", "farmer", "fighter", "hear", "heard", "near", "head", "heat",
        "heats", "heated", "lift", "sets", "setting", "settings", "lamb", "dimmed", "opens", "opened", "closed",
        "locked", "turned", "cooled", "warmed", "lowered", "raised", "started", "stopped", "enabled", "disabled",
        "window", "sound", "loud", "quiet", "tired", "sleep", "wake", "outside", "inside", "upstairs", "downstairs",
        "office", "hall", "hallway", "bath", "bathroom", "bedroom", "kitchen", "living", "dining", "garden",
        "porch", "attic", "basement", "lounge", "study", "nursery", "movie", "dance", "party", "dinner", "read",
        "reading", "work", "working", "okay", "please", "thanks", "thank", "sorry", "hello", "maybe", "enough",
        "already", "always", "never", "everything", "anything", "something", "nothing", "everyone", "somebody",
        "half", "quarter", "quarters", "point", "minus", "plus", "negative", "percentage", "centigrade", "cents",
    ]
}
