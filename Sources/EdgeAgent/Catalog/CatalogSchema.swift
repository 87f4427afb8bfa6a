/// The JSON schema of an `Action` for one catalog: every id, area, floor, intent and colour is an enum, so a
/// decoder constrained by it can only name what exists. Values are bounded by the widest range in the catalog;
/// `ActionValidator` still checks each device's own range.
public enum CatalogSchema {
    public static func schema(for catalog: Catalog) -> JSONValue {
        let targets = catalog.devices.map(\.id) + catalog.scenes.map(\.id)
        let types = DeviceType.allCases.filter { type in catalog.devices.contains { $0.type == type } }
        var low = 0.0
        var high = 100.0
        for device in catalog.devices {
            if let range = device.colorTemp {
                low = min(low, range.lowerBound)
                high = max(high, range.upperBound)
            }
            if let range = device.targetTemperature {
                // The set-point may be said in either unit.
                for bound in [range.min, range.max] {
                    let other = range.unit == .celsius ? bound * 9 / 5 + 32 : (bound - 32) * 5 / 9
                    low = min(low, bound, other)
                    high = max(high, bound, other)
                }
            }
        }
        func enumeration(_ values: [String]) -> JSONValue {
            .object([("type", .string("string")), ("enum", .array(values.map(JSONValue.string)))])
        }
        return .object([
            ("type", .string("object")),
            (
                "properties",
                .object([
                    ("intent", enumeration(Intent.allCases.map(\.rawValue))),
                    (
                        "devices",
                        .object([
                            ("type", .string("array")), ("items", enumeration(targets)), ("uniqueItems", .bool(true)),
                        ])
                    ),
                    ("area", enumeration(catalog.areas.map(\.id))),
                    ("floor", enumeration(catalog.floors.map(\.id))),
                    ("domain", enumeration(types.map(\.rawValue))),
                    (
                        "value",
                        .object([("type", .string("number")), ("minimum", .number(low)), ("maximum", .number(high))])
                    ),
                    ("unit", enumeration(ValueUnit.allCases.map(\.rawValue))),
                    ("color", enumeration(NamedColor.names)),
                ])
            ),
            ("required", .array([.string("intent")])),
            ("additionalProperties", .bool(false)),
        ])
    }
}
