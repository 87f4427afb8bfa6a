#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What a machine says it is: the device tree's model on ARM boards, the DMI product name on PCs, and its RAM.
public struct BoardIdentity: Sendable, Equatable {
    /// `/proc/device-tree/model`, e.g. "Raspberry Pi Zero 2 W Rev 1.0" (the file ends in a NUL byte).
    public var deviceTreeModel: String?
    /// `/sys/class/dmi/id/product_name`, e.g. "NUC12WSHi3" or a vendor's mini-PC name.
    public var dmiProductName: String?
    /// `MemTotal`, to tell apart boards that differ only in RAM (a Pi 5 with 4 GB or 8 GB).
    public var memTotalBytes: Int?

    public init(deviceTreeModel: String?, dmiProductName: String?, memTotalBytes: Int?) {
        self.deviceTreeModel = deviceTreeModel
        self.dmiProductName = dmiProductName
        self.memTotalBytes = memTotalBytes
    }

    public init(root: String = "") {
        func text(_ path: String) -> String? {
            guard let raw = readKernelFile(root + path) else { return nil }
            let trimmed =
                String(raw.unicodeScalars.filter { $0 != "\0" }).split(separator: "\n").first
                .map { $0.trimmingSpaces } ?? ""
            return trimmed.isEmpty ? nil : trimmed
        }
        self.init(
            deviceTreeModel: text("/proc/device-tree/model"), dmiProductName: text("/sys/class/dmi/id/product_name"),
            memTotalBytes: try? MemInfo(root: root).totalBytes)
    }
}

public enum BoardDetection {
    /// `uname -m` of this machine: "aarch64", "x86_64", …
    public static var machineArchitecture: String {
        var names = utsname()
        uname(&names)
        return withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The profile whose device-tree prefix or DMI substring matches; among boards that differ only in RAM, the
    /// smallest whose RAM holds `MemTotal` (which is below the RAM by the firmware's share). With no match, the
    /// profile that is the fallback for this architecture.
    public static func match(_ identity: BoardIdentity, architecture: String, in profiles: [BoardProfile])
        -> BoardProfile?
    {
        let matching = profiles.filter { profile in
            if let model = identity.deviceTreeModel, profile.deviceTreeModels.contains(where: { model.hasPrefix($0) }) {
                return true
            }
            if let product = identity.dmiProductName, profile.dmiProducts.contains(where: { product.contains($0) }) {
                return true
            }
            return false
        }.sorted { $0.ramMB < $1.ramMB }
        if let first = matching.first {
            guard let total = identity.memTotalBytes else { return first }
            return matching.first { $0.ramBytes >= total } ?? matching.last
        }
        return profiles.first { $0.fallbackFor == architecture }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
