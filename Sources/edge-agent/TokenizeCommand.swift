import ArgumentParser
import EdgeAgent
import SLM

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Prints the token ids of a text as a JSON array.")

    @Option(name: .long, help: "A model name from the manifest, or the path of a GGUF file.")
    var model: String?

    @Flag(name: .long, help: "Treat special tokens written in the text (such as <|im_start|>) as plain text.")
    var noSpecial = false

    @Argument(help: "The text to tokenize.")
    var text: String

    func run() throws {
        let path = try ModelStore().resolve(model)
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: path))
        try printJSON(tokenizer.encode(text, parseSpecial: !noSpecial))
    }
}
