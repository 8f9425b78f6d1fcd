/// Facts about the imported benchmark that a user should know before trusting an average
/// (for `nb201 info --quality`): which seeds cover which (dataset, hp), which architectures miss a seed,
/// where seeds disagree on costs, and what the importers had to normalise.
public struct DataQuality: Sendable, Codable {
    public struct SeedCoverage: Sendable, Codable {
        public let dataset: String
        public let hp: Int
        public let seed: String
        public let architectures: Int
    }

    public struct MissingSeeds: Sendable, Codable {
        public let dataset: String
        public let hp: Int
        /// Seeds present for some architectures of this (dataset, hp).
        public let seeds: [String]
        /// How many architectures lack at least one of them, and the first few.
        public let architectures: Int
        public let examples: [Int]
    }

    public struct Note: Sendable, Codable {
        public let note: String
        public let count: Int
        public let examples: [Int]
    }

    public let seedCoverage: [SeedCoverage]
    public let missingSeeds: [MissingSeeds]
    /// (arch, dataset, hp) groups whose seeded trials state different params or FLOPs.
    public let costDisagreements: Int
    /// Results whose accuracy lies outside 0...100 percent (a table scaled to fractions, or corrupt), and the first
    /// few architectures holding one.
    public let accuraciesOutOfRange: Int
    public let accuracyExamples: [Int]
    public let notes: [Note]

    /// Reads the facts from the store (numeric seeds only: table means and unknown-seed runs are not seeds).
    public static func report(_ store: BenchmarkStore) throws -> DataQuality {
        let numericSeed = "seed GLOB '[0-9]*'"
        let coverage = try store.db.rows("""
            SELECT dataset, hp, seed, count(*) AS architectures FROM trials WHERE \(numericSeed) GROUP BY 1, 2, 3 ORDER BY 1, 2, CAST(seed AS INTEGER)
            """).map { SeedCoverage(dataset: $0["dataset"].string!, hp: $0["hp"].int!, seed: $0["seed"].string!, architectures: $0["architectures"].int!) }
        var missing: [MissingSeeds] = []
        for group in Set(coverage.map { "\($0.dataset)\t\($0.hp)" }).sorted() {
            let parts = group.split(separator: "\t")
            let dataset = String(parts[0]), hp = Int(parts[1])!
            let seeds = coverage.filter { $0.dataset == dataset && $0.hp == hp }.map(\.seed)
            let lacking = try store.db.rows("""
                SELECT arch_idx FROM trials WHERE dataset = ? AND hp = ? AND \(numericSeed)
                GROUP BY arch_idx HAVING count(DISTINCT seed) < ? ORDER BY arch_idx
                """, [.text(dataset), SQLValue(hp), SQLValue(seeds.count)]).map { $0["arch_idx"].int! }
            if !lacking.isEmpty {
                missing.append(MissingSeeds(dataset: dataset, hp: hp, seeds: seeds, architectures: lacking.count,
                                            examples: Array(lacking.prefix(10))))
            }
        }
        let disagreements = try store.db.scalar("""
            SELECT count(*) FROM (SELECT 1 FROM trials WHERE \(numericSeed) GROUP BY arch_idx, dataset, hp
            HAVING max(params) - min(params) > 1e-9 OR max(flops) - min(flops) > 1e-9)
            """)?.int ?? 0
        let outOfRange = try store.accuraciesOutOfRange()
        let notes = try store.db.rows("""
            SELECT note, count(*) AS count, group_concat(arch_idx) AS archs FROM
              (SELECT CASE WHEN note GLOB 'seed string normalised*' THEN substr(note, 1, instr(note, ' in ') - 1) ELSE note END AS note,
                      arch_idx FROM import_notes)
            GROUP BY note ORDER BY count(*) DESC, note
            """).map { row in
            Note(note: row["note"].string!, count: row["count"].int!,
                 examples: Array((row["archs"].string ?? "").split(separator: ",").compactMap { Int($0) }.prefix(10)))
        }
        return DataQuality(seedCoverage: coverage, missingSeeds: missing, costDisagreements: disagreements,
                           accuraciesOutOfRange: outOfRange.results, accuracyExamples: Array(outOfRange.architectures.prefix(10)), notes: notes)
    }
}
