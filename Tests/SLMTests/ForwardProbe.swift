import XCTest
import Foundation
@testable import SLM

final class ForwardProbe: XCTestCase {
    func testProbe() throws {
        let model = try Model(path: NSHomeDirectory() + "/.cache/edge-agent/models/SmolLM2-135M-Instruct.Q4_1.gguf")
        let pool = ThreadPool(threads: 2)
        let session = try Session(model: model, contextLength: 512, pool: pool)
        let data = try Data(contentsOf: URL(fileURLWithPath: "/work/shared/reference/smollm2-135m-instruct-q4_1.llamacpp.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let prompts = json["prompts"] as! [String: [String: Any]]
        for (name, p) in prompts {
            session.reset()
            let ids = (p["ids"] as! [Int]).map { Int32($0) }
            try session.evaluate(ids)
            print(name, session.topLogProbabilities(5))
            print("ref", (p["next_top5"] as! [[String: Any]]).map { ($0["id"]!, $0["logprob"]!) })
        }
    }
}
