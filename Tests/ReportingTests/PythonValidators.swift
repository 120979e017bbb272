import FixtureSupport
import Foundation

/// Third-party validators run through Python: `jsonschema` (JSON Schema) and `junitparser` (a JUnit
/// XML consumer). Tests that need one are skipped, with a comment saying so, where it is missing.
///
/// Both exist as PyPI packages (`pip install jsonschema junitparser`) and as Debian packages
/// (`python3-jsonschema`, `python3-junitparser`); the first interpreter that has a module is used:
/// `python3` on `PATH`, then Debian's `/usr/bin/python3`.
enum PythonValidators {
    static let interpreters = ["python3", "/usr/bin/python3"]

    /// The interpreter that can import every module, or nil.
    static func interpreter(with modules: [String]) -> String? {
        let imports = modules.map { "import \($0)" }.joined(separator: "; ")
        return interpreters.first { interpreter in
            (try? Namespaces.run([interpreter, "-c", imports]).status) == 0
        }
    }

    static let jsonschema: String? = interpreter(with: ["jsonschema"])
    static let junitparser: String? = interpreter(with: ["junitparser"])
    static let jsonschemaAndYAML: String? = interpreter(with: ["jsonschema", "yaml"])

    /// The official SARIF 2.1.0 schema in the shared directory beside the project, when it is there.
    static let sarifSchema: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/sarif-schema-2.1.0.json")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// `name version` of a Python distribution, for messages.
    static func version(of distribution: String, with interpreter: String) -> String {
        let script = "import importlib.metadata as m; print(m.version('\(distribution)'))"
        let output = (try? Namespaces.run([interpreter, "-c", script]).output) ?? "?"
        return "\(distribution) \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    /// Runs a Python script with arguments; its output (stdout and stderr) and exit status.
    static func run(_ interpreter: String, script: String, arguments: [String]) throws -> (status: Int32, output: String) {
        try Namespaces.run([interpreter, "-c", script] + arguments)
    }

    /// Validates JSON documents against a JSON Schema, with the validator class the schema's
    /// `$schema` names (draft-04 for SARIF, 2020-12 for ours). Prints one line per error; exit 1 on any.
    static let validateScript = """
    import json, sys, jsonschema
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    failed = False
    for path in sys.argv[2:]:
        if path.endswith((".yaml", ".yml")):
            import yaml
            document = yaml.safe_load(open(path, encoding="utf-8"))
        else:
            document = json.load(open(path, encoding="utf-8"))
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            failed = True
            print(f"{path}: {'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
    print(f"validated {len(sys.argv) - 2} documents with {cls.__name__}")
    sys.exit(1 if failed else 0)
    """

    /// Validates documents, given as text, against a schema file; nil when all are valid, else the errors.
    static func validate(_ documents: [(name: String, text: String)], schema: URL, with interpreter: String) throws -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let url = directory.appendingPathComponent("\(index)-\(document.name)")
            try document.text.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        let result = try run(interpreter, script: validateScript, arguments: [schema.path] + paths)
        return result.status == 0 ? nil : result.output
    }

    /// Reads JUnit XML files with junitparser and prints, per file, what it understood as JSON:
    /// the suites' declared counts, the counts of the cases' results, and every case.
    static let junitScript = """
    import json, sys
    from junitparser import JUnitXml, TestSuite, Failure, Skipped, Error
    reports = []
    for path in sys.argv[1:]:
        xml = JUnitXml.fromfile(path)
        suites = [xml] if isinstance(xml, TestSuite) else list(xml)
        report = {"path": path, "suites": []}
        for suite in suites:
            cases = []
            for case in suite:
                results = case.result
                if not isinstance(results, list):
                    results = [results] if results is not None else []
                cases.append({
                    "classname": case.classname, "name": case.name,
                    "results": [{"tag": r._tag, "type": r.type, "message": r.message, "text": r.text} for r in results],
                })
            report["suites"].append({
                "name": suite.name,
                "tests": suite.tests, "failures": suite.failures, "errors": suite.errors, "skipped": suite.skipped,
                "counted": {
                    "tests": len(cases),
                    "failures": sum(1 for c in cases if any(r["tag"] == "failure" for r in c["results"])),
                    "errors": sum(1 for c in cases if any(r["tag"] == "error" for r in c["results"])),
                    "skipped": sum(1 for c in cases if any(r["tag"] == "skipped" for r in c["results"])),
                },
                "cases": cases,
            })
        reports.append(report)
    print(json.dumps(reports))
    """

    struct JUnitSuite: Decodable {
        struct Counts: Decodable, Equatable {
            var tests: Int
            var failures: Int
            var errors: Int
            var skipped: Int
        }

        struct Case: Decodable {
            var classname: String?
            var name: String?
            var results: [Result]
        }

        struct Result: Decodable {
            var tag: String
            var type: String?
            var message: String?
            var text: String?
        }

        var name: String?
        var tests: Int?
        var failures: Int?
        var errors: Int?
        var skipped: Int?
        var counted: Counts
        var cases: [Case]

        var declared: Counts { Counts(tests: tests ?? -1, failures: failures ?? -1, errors: errors ?? -1, skipped: skipped ?? -1) }
    }

    struct JUnitFile: Decodable {
        var path: String
        var suites: [JUnitSuite]
    }

    /// Parses JUnit XML texts with junitparser.
    static func parseJUnit(_ documents: [(name: String, text: String)], with interpreter: String) throws -> [JUnitFile] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-junit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let url = directory.appendingPathComponent("\(index)-\(document.name)")
            try document.text.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, "-c", junitScript] + paths
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidatorFailure(message: "junitparser failed (\(process.terminationStatus)): \(errorText)")
        }
        return try JSONDecoder().decode([JUnitFile].self, from: data)
    }

    struct ValidatorFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
