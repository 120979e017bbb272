/// Fuzzes `NftablesJSONLoader.load`, the `nft -j list ruleset` reader: any text must load or throw
/// `NftablesJSONError`, never trap. Seeds: `Fixtures/nft/**/*.json`, the shared corpus's `nft-json/`.
import FuzzDriver
import NftablesJSON

Fuzzer.runText { text in
    _ = try? NftablesJSONLoader.load(text, source: "fuzz.json")
}
