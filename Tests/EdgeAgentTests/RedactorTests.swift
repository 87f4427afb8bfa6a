import XCTest

@testable import EdgeAgent

final class RedactorTests: XCTestCase {
    func testPersonalDataBecomesPlaceholdersAndComesBack() {
        let redactor = Redactor(rules: RedactionRules(names: ["Alice Smith", "Bob"], patterns: [#"ACME-\d{4}"#]))
        let text =
            "mail alice@example.org and bob.k@mail.example.co.uk, call +49 170 1234567, ping 192.168.1.20 or "
            + "fe80::1ff:fe23:4567:890a, the plug is AA:BB:CC:DD:EE:01; tell Bob and Alice Smith about ACME-1234"
        let redacted = redactor.redact(text)
        for secret in [
            "alice@example.org", "bob.k@mail.example.co.uk", "170 1234567", "192.168.1.20", "fe80::1ff:fe23:4567:890a",
            "AA:BB:CC:DD:EE:01", "Bob", "Alice Smith", "ACME-1234",
        ] {
            XCTAssertFalse(redacted.text.contains(secret), "\(secret) leaked: \(redacted.text)")
        }
        XCTAssertTrue(redacted.text.contains("<EMAIL_1>") && redacted.text.contains("<EMAIL_2>"), redacted.text)
        XCTAssertTrue(redacted.text.contains("<PHONE_1>") && redacted.text.contains("<MAC_1>"), redacted.text)
        XCTAssertTrue(redacted.text.contains("<IP_1>") && redacted.text.contains("<IP_2>"), redacted.text)
        XCTAssertTrue(redacted.text.contains("<NAME_1>") && redacted.text.contains("<SECRET_1>"), redacted.text)
        XCTAssertEqual(redacted.restore(redacted.text), text)
        XCTAssertEqual(redacted.restore("I told <NAME_2>."), "I told Bob.")
    }

    func testDeviceCommandsAreLeftAlone() {
        let redactor = Redactor(rules: RedactionRules(names: ["Bob"]))
        for text in [
            "set the thermostat to 21.5 degrees at 10:30", "dim the bedroom lamp to 30%", "open the blinds 2 3 4",
            "Bobby's lamp on", "turn on the lamp in room 12 on floor 2",
        ] {
            XCTAssertEqual(redactor.redact(text).text, text)
        }
    }

    func testSameValueSamePlaceholderAcrossTexts() {
        let redactor = Redactor(rules: RedactionRules(names: ["Carol"]))
        let first = redactor.redact("Carol's room")
        let second = redactor.redact("wake Carol, mail carol@x.org", continuing: first)
        XCTAssertEqual(second.text, "wake <NAME_1>, mail <EMAIL_1>")
    }
}
