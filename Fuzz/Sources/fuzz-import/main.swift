/// Fuzzes the documentation importer (`fwaudit matrix import`): `PageImporter.importPage` never
/// throws, so any text must come back as flows and diagnostics, then `MatrixEmitter.yaml` must
/// write them. Each input is read as each container (Markdown, HTML, CSV), as the CLI would for
/// `.md`, `.html` and `.csv` pages. Seeds: `Fixtures/lync-edge/ports.md`, `contrib/**/*.md|html|csv`.
import FuzzDriver
import MatrixImport

Fuzzer.runText { text in
    let pages = Container.allCases.map { container in
        PageImporter.importPage(text, page: "fuzz.\(container.rawValue)", container: container)
    }
    _ = MatrixEmitter.yaml(ImportedMatrix(name: "fuzz", pages: pages))
}
