extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line breaks (FoundationEssentials has no
    /// `trimmingCharacters(in:)`).
    public var trimmedWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
