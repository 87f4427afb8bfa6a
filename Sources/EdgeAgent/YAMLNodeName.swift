import YAML

/// The readers of the catalog, the board profiles and the config walk this tree.
typealias Node = YAMLNode
