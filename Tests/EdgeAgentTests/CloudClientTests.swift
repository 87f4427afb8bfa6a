import Foundation
import TestPeers
import XCTest

@testable import EdgeAgent

/// The HTTP client's typed errors against the test server, and the answer decoder on its own.
final class CloudClientTests: XCTestCase {
    var server: CloudTestServer!

    override func setUpWithError() throws {
        server = try CloudTestServer()
        try server.start()
    }

    override func tearDown() {
        server.stop()
        server = nil
    }

    func client(timeout: Duration = .milliseconds(500)) throws -> CloudClient {
        try CloudClient(
            endpoint: CloudEndpoint(
                baseURL: server.baseURL, model: "m", apiKey: .file("/nonexistent/never"), timeout: timeout),
            environment: [:])
    }

    func complete(_ client: CloudClient) async -> Result<CloudCompletion, CloudError> {
        do {
            return .success(
                try await client.complete(system: "s", user: "u", schema: .object([]), idempotencyKey: "k"))
        } catch {
            return .failure(error)
        }
    }

    func testAMissingKeyFileIsNamedWithoutAnyKey() {
        XCTAssertThrowsError(try client()) { error in
            XCTAssertEqual("\(error)", "the cloud API key cannot be read from the file /nonexistent/never")
        }
    }

    func testEachFailureIsTyped() async throws {
        let client = try CloudClient(
            endpoint: CloudEndpoint(baseURL: server.baseURL, model: "m", timeout: .milliseconds(400)), environment: [:])
        try server.control(["faults": ["500", "429:7", "503:1.5", "malformed", "hang:3"]])
        let results = [
            await complete(client), await complete(client), await complete(client), await complete(client),
            await complete(client),
        ]
        XCTAssertEqual(results[0], .failure(.http(status: 500, retryAfter: nil, message: "internal error")))
        XCTAssertEqual(results[1], .failure(.http(status: 429, retryAfter: .seconds(7), message: "slow down")))
        XCTAssertEqual(results[2], .failure(.http(status: 503, retryAfter: .milliseconds(1500), message: "slow down")))
        XCTAssertEqual(results[3], .failure(.malformedAnswer("the response is not a chat completion (69 bytes)")))
        XCTAssertEqual(results[4], .failure(.timeout(after: .milliseconds(400))))
        let ok = await complete(client)
        XCTAssertEqual(try ok.get().format, .jsonSchema)
        let probe = await client.probe()
        XCTAssertEqual(probe, .answered)
        server.stop()
        // The pooled keep-alive connection dies with the server; the next one is refused.
        let closed = await complete(client)
        XCTAssertEqual(closed.error?.outcome, .unreachable, "\(closed)")
        let refused = await complete(client)
        XCTAssertEqual(refused, .failure(.unreachable("connection refused")))
        let deadProbe = await client.probe()
        XCTAssertEqual(deadProbe, .unreachable)
        await client.shutdown()
    }

    func testAnswersAreReadFromSchemaObjectAndProseForms() throws {
        XCTAssertEqual(
            try CloudAnswer.decode(#"{"actions":[{"intent":"HassTurnOn","devices":["a"]}],"answer":"ok"}"#),
            CloudAnswer(actions: [Action(.turnOn, devices: ["a"])], answer: "ok"))
        XCTAssertEqual(
            try CloudAnswer.decode("Sure:\n```json\n{\"intent\":\"HassLock\",\"devices\":[\"front_door\"]}\n```"),
            CloudAnswer(actions: [Action(.lock, devices: ["front_door"])], answer: nil))
        XCTAssertThrowsError(try CloudAnswer.decode("I cannot do that")) { error in
            XCTAssertEqual(error as? CloudError, .malformedAnswer("no JSON object in the answer (16 characters)"))
        }
        XCTAssertThrowsError(try CloudAnswer.decode(#"{"actions":[{"intent":"HassFly"}]}"#)) { error in
            XCTAssertTrue("\(error)".contains("at .actions[0].intent"), "\(error)")
        }
        XCTAssertThrowsError(try CloudAnswer.decode(#"{"reply":"hi"}"#)) { error in
            XCTAssertEqual(error as? CloudError, .malformedAnswer("the object has neither 'actions' nor 'intent'"))
        }
    }
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
