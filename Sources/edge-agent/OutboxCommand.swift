import ArgumentParser
import EdgeAgent

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edge-agent outbox list|flush|purge`: the escalations waiting for the link.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Shows or manages the escalations waiting for the cloud link.",
        subcommands: [List.self, Flush.self, Purge.self, Fill.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the waiting escalations, oldest first.")
        @OptionGroup var cloud: CloudOptions
        @Flag(name: .long, help: "One JSON object per item.") var json = false

        func run() throws {
            let now = Date().timeIntervalSince1970
            for item in try cloud.store().outbox.list() {
                let row = Row(
                    id: item.id, kind: item.kind.rawValue, ageS: rounded(now - item.createdAt),
                    expiresInS: rounded(item.expiresAt - now), attempts: item.attempts,
                    replyTopic: item.replyRoute.topic,
                    lastError: item.lastError, answered: item.answer != nil)
                if json {
                    try printJSON(row)
                } else {
                    print(
                        "\(item.id)  \(item.kind.rawValue)  age \(row.ageS) s  expires in \(row.expiresInS) s  "
                            + "attempts \(item.attempts)  → \(item.replyRoute.topic)"
                            + (item.lastError.map { "  (\($0))" } ?? ""))
                }
            }
        }

        struct Row: Encodable {
            var id, kind: String
            var ageS, expiresInS: Double
            var attempts: Int
            var replyTopic: String
            var lastError: String?
            var answered: Bool
        }
    }

    struct Flush: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Makes every waiting escalation due now; the running agent sends them on its next pass.")
        @OptionGroup var cloud: CloudOptions

        func run() throws {
            let count = try cloud.store().outbox.makeAllDue(now: Date().timeIntervalSince1970)
            print("\(count) escalation(s) due now")
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deletes every waiting escalation; their requesters get no answer.")
        @OptionGroup var cloud: CloudOptions

        func run() throws {
            print("\(try cloud.store().outbox.purge()) escalation(s) deleted")
        }
    }

    /// Writes items in a loop and prints each id once its transaction committed: the kill -9 test's child.
    struct Fill: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queues COUNT test escalations, printing each id after its commit.", shouldDisplay: false)
        @Option(name: .long, help: "The SQLite file.") var state: String
        @Option(name: .long) var count = 1000
        @Option(name: .long) var prefix = "fill-"

        func run() throws {
            let store = try CloudStore(path: state, outboxSettings: OutboxSettings(maxItems: Int.max))
            let now = Date().timeIntervalSince1970
            for i in 0..<count {
                let item = OutboxItem(
                    id: "\(prefix)\(i)", createdAt: now, expiresAt: now + 3600, kind: .question,
                    replyRoute: ReplyRoute(topic: "test/reply", correlationData: Array("c\(i)".utf8)),
                    text: "question number \(i) " + String(repeating: "x", count: 200))
                _ = try store.outbox.enqueue(item)
                print(item.id)
                fflush(nil)  // every stream: the id is out before the next write starts
            }
        }
    }
}

/// `edge-agent learned list|forget`: the commands learned from the cloud's answers.
struct LearnedCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learned",
        abstract: "Lists or forgets the commands learned from the cloud.",
        subcommands: [List.self, Forget.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the learned commands.")
        @OptionGroup var cloud: CloudOptions
        @Flag(name: .long, help: "One JSON object per entry.") var json = false

        func run() throws {
            for entry in try cloud.store().learned.list() {
                if json {
                    try printJSON(Row(text: entry.text, key: entry.key, actions: entry.actions, uses: entry.uses))
                } else {
                    let actions = entry.actions.map { action in
                        action.intent.rawValue + " "
                            + (action.devices + [action.area, action.floor].compactMap { $0 })
                            .joined(separator: ",")
                    }
                    print("\(entry.text)  →  \(actions.joined(separator: "; "))  (used \(entry.uses)×)")
                }
            }
        }

        struct Row: Encodable {
            var text, key: String
            var actions: [Action]
            var uses: Int
        }
    }

    struct Forget: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forgets one learned command, or all with --all.")
        @OptionGroup var cloud: CloudOptions
        @Argument(help: "The command's text as listed.") var text: String?
        @Flag(name: .long, help: "Forget every learned command.") var all = false

        func validate() throws {
            if (text == nil) == !all { throw ValidationError("give the command's text or --all") }
        }

        func run() throws {
            print("\(try cloud.store().learned.forget(key: all ? nil : text)) learned command(s) forgotten")
        }
    }
}
