/// What the normaliser hands to the catalog matcher and the model: canonical words, each pointing back to what the
/// user typed, and the numbers found in the text with their units.
public struct NormalizedText: Sendable, Equatable {
    /// The text as it was given; every `range` below indexes into it.
    public let original: String
    public let tokens: [Token]
    public let quantities: [Quantity]
    /// The text ended with a question mark ("is the hall light on?").
    public let isQuestion: Bool
    /// Lowercase canonical text: the tokens' `text` joined by single spaces ("dim the bedroom lamp to 30 %").
    public let text: String
    /// `text` with diacritics removed ("café" → "cafe"), for matching.
    public let foldedText: String

    init(original: String, tokens: [Token], quantities: [Quantity], isQuestion: Bool) {
        self.original = original
        self.tokens = tokens
        self.quantities = quantities
        self.isQuestion = isQuestion
        self.text = tokens.map(\.text).joined(separator: " ")
        self.foldedText = tokens.map(\.folded).joined(separator: " ")
    }

    /// The tokens a matcher should read: fillers and wake phrases left out.
    public var contentTokens: [Token] { tokens.filter { !$0.isFiller } }

    public struct Token: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case word
            /// A number; its value and unit are in the quantity whose `tokens` cover it.
            case number
            /// "%", "°c", "°f", "°" or "k".
            case unit
        }

        /// Canonical form: lowercase, contractions expanded, typos corrected, numbers as digits.
        public var text: String
        /// `text` without diacritics.
        public var folded: String
        /// What the user typed for this token. Tokens from one contraction ("it's" → "it", "is") share a range.
        public var range: Range<String.Index>
        public var kind: Kind
        /// A politeness word, hedge or wake phrase ("please", "could you", "hey jarvis") the matcher can skip.
        public var isFiller: Bool
        /// The lowercase word as typed when `text` is a spelling correction of it.
        public var correctedFrom: String?

        public init(
            text: String, range: Range<String.Index>, kind: Kind = .word, isFiller: Bool = false,
            correctedFrom: String? = nil
        ) {
            self.text = text
            self.folded = Diacritics.fold(text)
            self.range = range
            self.kind = kind
            self.isFiller = isFiller
            self.correctedFrom = correctedFrom
        }
    }
}

extension NormalizedText {
    /// A number found in the text, with its unit, so a `value` slot can be grounded in what the user said.
    public struct Quantity: Sendable, Equatable {
        public enum Unit: String, Sendable {
            case number, percent, celsius, fahrenheit, kelvin
            /// "degrees" with no scale given.
            case degrees
        }

        /// An explicit sign, kept because "+10 %" is a relative change where "10 %" is a level.
        public enum Sign: Sendable {
            case none, plus, minus
        }

        /// Signed: -5 for "minus five".
        public var value: Double
        public var unit: Unit
        public var sign: Sign
        /// The number and its unit in the original text.
        public var range: Range<String.Index>
        /// Indices of the number token and its unit token in `NormalizedText.tokens`.
        public var tokens: Range<Int>
    }
}
