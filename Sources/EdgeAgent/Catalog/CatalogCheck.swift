/// The checks across entries: unique ids, references that resolve, aliases that say one thing per area.
struct CatalogCheck {
    let file: String
    let floors: [Located<Floor>]
    let areas: [Located<Area>]
    let devices: [Located<Device>]
    let scenes: [Located<Scene>]

    func run() throws {
        try unique(floors.map { ($0.value.id, $0.line, $0.entry) })
        try unique(areas.map { ($0.value.id, $0.line, $0.entry) })
        // Devices and scenes share one namespace: both are what `HassTurnOn` names.
        try unique(devices.map { ($0.value.id, $0.line, $0.entry) } + scenes.map { ($0.value.id, $0.line, $0.entry) })
        let floorIDs = Set(floors.map(\.value.id))
        for area in areas {
            if let floor = area.value.floor, !floorIDs.contains(floor) {
                throw CatalogError.unknownReference(
                    file: file, line: area.line, entry: area.entry, key: "floor", id: floor)
            }
        }
        let areaIDs = Set(areas.map(\.value.id))
        for device in devices where !areaIDs.contains(device.value.area) {
            throw CatalogError.unknownReference(
                file: file, line: device.line, entry: device.entry, key: "area", id: device.value.area)
        }
        try aliasesAreUnambiguous()
        try namesAreUnique(floors.map { ($0.value.id, [$0.value.name] + $0.value.aliases, $0.line, $0.entry) })
        try namesAreUnique(areas.map { ($0.value.id, [$0.value.name] + $0.value.aliases, $0.line, $0.entry) })
        try namesAreUnique(scenes.map { ($0.value.id, [$0.value.name] + $0.value.aliases, $0.line, $0.entry) })
    }

    /// "Downstairs" must name one floor, "the lounge" one area, "movie night" one scene.
    private func namesAreUnique(_ entries: [(String, [String], Int, String)]) throws {
        var owner: [String: String] = [:]
        for (id, names, line, entry) in entries {
            for name in names {
                let key = Self.fold(name)
                if let other = owner[key], other != id {
                    throw CatalogError.ambiguousName(file: file, line: line, entry: entry, name: name, other: other)
                }
                owner[key] = id
            }
        }
    }

    private func unique(_ ids: [(String, Int, String)]) throws {
        var seen: [String: Int] = [:]
        for (id, line, entry) in ids {
            if let first = seen[id] {
                throw CatalogError.duplicateID(file: file, line: line, entry: entry, firstLine: first)
            }
            seen[id] = line
        }
    }

    /// Within one area, no device's alias may be another device's name or alias: "the lamp" must mean one thing.
    private func aliasesAreUnambiguous() throws {
        for area in areas {
            let here = devices.filter { $0.value.area == area.value.id }
            var owner: [String: String] = [:]
            for device in here {
                for name in [device.value.name] + device.value.aliases {
                    let key = Self.fold(name)
                    if let other = owner[key], other != device.value.id {
                        throw CatalogError.ambiguousAlias(
                            file: file, line: device.line, entry: device.entry, alias: name, other: other,
                            area: area.value.id)
                    }
                    owner[key] = device.value.id
                }
            }
        }
    }

    static func fold(_ name: String) -> String {
        name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
