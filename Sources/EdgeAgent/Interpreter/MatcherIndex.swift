/// The catalog's names and aliases as token sequences, normalised the same way as the commands, so the matcher
/// can find the longest phrase starting at each word.
struct MatcherIndex: Sendable {
    enum Referent: Equatable, Sendable {
        case device(String)
        case area(String)
        case floor(String)
        case scene(String)
    }

    struct Entry: Sendable {
        var words: [String]
        var referent: Referent
    }

    /// Entries by their first word, longest first.
    let byFirstWord: [String: [Entry]]
    /// Every device's names and aliases as word lists, for "the lamp in the office" style lookups.
    let deviceWords: [String: [[String]]]
    /// Every word of a device's name or alias: one left over after matching is part of a name that named nothing
    /// whole ("switch off the coffee machine and the hood"), so acting on the rest would drop a device.
    let nameWords: Set<String>
    /// The last word of a device's name or alias, when it is not a word for a kind of device, a place or a verb:
    /// "the hood" is the extractor hood, "that machine" the coffee machine. Singular forms.
    let headWords: [String: [String]]
    /// What an appliance gives, by the first word of a name or alias of two or more words that is not a place
    /// ("coffee machine" → coffee, "towel warmer" → towel): "I need a coffee" asks for it. Switches and fans only.
    let products: [String: [String]]

    init(catalog: Catalog, normalizer: Normalizer) {
        func words(_ phrase: String) -> [String] {
            normalizer.normalize(phrase).tokens.map(\.folded)
        }
        var entries: [Entry] = []
        var deviceWords: [String: [[String]]] = [:]
        for device in catalog.devices {
            for name in [device.name] + device.aliases {
                let w = words(name)
                guard !w.isEmpty else { continue }
                entries.append(Entry(words: w, referent: .device(device.id)))
                deviceWords[device.id, default: []].append(w.map(MatcherLexicon.singular))
            }
        }
        for area in catalog.areas {
            for name in [area.name] + area.aliases {
                let w = words(name)
                if !w.isEmpty { entries.append(Entry(words: w, referent: .area(area.id))) }
            }
        }
        for floor in catalog.floors {
            for name in [floor.name] + floor.aliases {
                let w = words(name)
                if !w.isEmpty { entries.append(Entry(words: w, referent: .floor(floor.id))) }
            }
        }
        for scene in catalog.scenes {
            for name in [scene.name] + scene.aliases {
                let w = words(name)
                if !w.isEmpty { entries.append(Entry(words: w, referent: .scene(scene.id))) }
            }
        }
        var byFirst: [String: [Entry]] = [:]
        for entry in entries { byFirst[entry.words[0], default: []].append(entry) }
        for key in byFirst.keys { byFirst[key]!.sort { $0.words.count > $1.words.count } }
        self.byFirstWord = byFirst
        self.deviceWords = deviceWords
        self.nameWords = Set(deviceWords.values.joined().joined())
        let placeWords = Set(entries.filter { if case .device = $0.referent { false } else { true } }.flatMap(\.words))
        var heads: [String: [String]] = [:]
        for (id, names) in deviceWords.sorted(by: { $0.key < $1.key }) {
            for name in names where name.count > 1 {
                let head = name[name.count - 1]
                guard MatcherLexicon.domainNouns[head] == nil, !placeWords.contains(head),
                    !MatcherVerb.verbWords.contains(head), !MatcherLexicon.ignorable.contains(head)
                else { continue }
                if !(heads[head]?.contains(id) ?? false) { heads[head, default: []].append(id) }
            }
        }
        self.headWords = heads
        var products: [String: [String]] = [:]
        for device in catalog.devices where [.switch, .fan].contains(device.type) && device.has(.onOff) {
            for name in deviceWords[device.id] ?? [] where name.count > 1 {
                let first = name[0]
                guard !placeWords.contains(first), !MatcherVerb.verbWords.contains(first),
                    !MatcherLexicon.ignorable.contains(first), MatcherLexicon.domainNouns[first] == nil
                else { continue }
                if !(products[first]?.contains(device.id) ?? false) { products[first, default: []].append(device.id) }
            }
        }
        self.products = products
    }

    /// The longest phrase starting at `start` in `words`: its length and every referent spelled that way.
    func longestMatch(in words: [String], at start: Int) -> (length: Int, referents: [Referent])? {
        guard let candidates = byFirstWord[words[start]] else { return nil }
        var best = 0
        var referents: [Referent] = []
        for entry in candidates {
            let n = entry.words.count
            if n < best { break }
            guard start + n <= words.count, Array(words[start..<start + n]) == entry.words else { continue }
            best = n
            if !referents.contains(entry.referent) { referents.append(entry.referent) }
        }
        return best > 0 ? (best, referents) : nil
    }

    /// The area spelled exactly by `words`, if any.
    func area(named words: [String]) -> String? {
        guard let first = words.first else { return nil }
        for entry in byFirstWord[first] ?? [] where entry.words == words {
            if case .area(let id) = entry.referent { return id }
        }
        return nil
    }

    /// Whether one of the device's names or aliases contains `words` (singular forms) as a contiguous run.
    func device(_ id: String, contains words: [String]) -> Bool {
        guard let names = deviceWords[id], !words.isEmpty else { return false }
        return names.contains { name in
            guard name.count >= words.count else { return false }
            for i in 0...(name.count - words.count) where Array(name[i..<i + words.count]) == words { return true }
            return false
        }
    }
}
