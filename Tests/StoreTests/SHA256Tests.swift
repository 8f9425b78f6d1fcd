import CSHA256
import Store
import Support
import Testing

/// The fingerprint of imported files: FIPS 180-4's test vectors, streaming in pieces, and the x86 SHA extensions
/// against the portable code where the CPU has them.
@Suite struct SHA256Tests {
    static func digest(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    @Test func standardTestVectors() {
        #expect(Self.digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Self.digest([UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func piecesOfAnySizeGiveTheSameDigest() {
        var rng = SeededRandom(seed: 256)
        let bytes = (0..<5000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let whole = Self.digest(bytes)
        for piece in [1, 7, 63, 64, 65, 1000] {
            var hasher = SHA256()
            for start in stride(from: 0, to: bytes.count, by: piece) { hasher.update(Array(bytes[start..<min(bytes.count, start + piece)])) }
            #expect(hasher.finalize() == whole, "pieces of \(piece)")
        }
    }

    @Test func shaExtensionsAgreeWithThePortableCode() throws {
        try #require(nb_sha256_uses_sha_extensions() == 1, "this CPU has no SHA extensions: the portable code is the only one in use")
        var rng = SeededRandom(seed: 257)
        for blocks in [1, 2, 3, 17, 200] {
            let data = (0..<(64 * blocks)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var fast: [UInt32] = (0..<8).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
            var portable = fast
            nb_sha256_blocks(&fast, data, blocks)
            nb_sha256_blocks_portable(&portable, data, blocks)
            #expect(fast == portable, "\(blocks) blocks")
        }
    }
}
