/// Fuzzes `PortMatrixLoader.load`, the port matrix v1 YAML reader (through Yams): any text must
/// load or throw `PortMatrixError`, never trap. Seeds: `Fixtures/lync-edge/matrix.yaml`,
/// `zones.yaml`, and the YAML matrices under `contrib/` and `../shared/matrices` when present.
import FuzzDriver
import PortMatrix

Fuzzer.runText { text in
    _ = try? PortMatrixLoader.load(text, source: "fuzz.yaml")
}
