import Foundation
import TestPeers
import XCTest

/// A temporary directory removed by the test case's teardown.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> URL {
    try makeTemporaryDirectory { removal in test.addTeardownBlock(removal) }
}
