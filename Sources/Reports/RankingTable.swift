import Ranking
import Foundation

/// Renders ranking rows as text, Markdown, CSV, LaTeX or JSON. Each metric shows its value and bootstrap
/// interval; the protocol is printed once above (text/Markdown/LaTeX) or repeated per row (CSV/JSON).
public enum TableFormat: String, CaseIterable, Sendable {
    case text, markdown, csv, latex, json
}

public enum RankingTable {
    static let headline = ["kendall_tau_b", "spearman_rho", "pearson_r", "weighted_tau"]

    static func columns(_ rows: [RankingRow]) -> [String] {
        let names = rows.first?.metrics.map(\.name) ?? []
        return headline.filter(names.contains) + names.filter { !headline.contains($0) }
    }

    public static func cell(_ m: MetricValue?, digits: Int = 3) -> String {
        guard let m else { return "-" }
        let isRank = m.name.hasPrefix("best_true_rank")
        func f(_ x: Double) -> String { isRank ? String(format: "%.0f", x) : String(format: "%.\(digits)f", x) }
        guard let lo = m.lower, let hi = m.upper else { return f(m.value) }
        return "\(f(m.value)) [\(f(lo)), \(f(hi))]"
    }

    public static func protocolLine(_ p: RankingProtocol) -> String {
        "ground truth: \(p.dataset) \(p.split), hp \(p.hp), seed \(p.seedPolicy); subset \(p.subset); "
            + "\(Int(p.level * 100))% bootstrap intervals, \(p.bootstrapResamples) resamples, seed \(p.bootstrapSeed)"
    }

    public static func render(_ rows: [RankingRow], format: TableFormat) throws -> String {
        let cols = columns(rows)
        let header = ["estimator", "n"] + cols
        let body = rows.map { r in [r.estimator, String(r.architectures)] + cols.map { cell(r.metric($0)) } }
        let proto = rows.first.map { protocolLine($0.rankingProtocol) } ?? ""
        switch format {
        case .text:
            var widths = header.map(\.count)
            for r in body { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
            let line = { (cells: [String]) in
                cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            }
            return ([proto, line(header)] + body.map(line)).joined(separator: "\n")
        case .markdown:
            return ([proto, "", "| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
                + body.map { "| " + $0.joined(separator: " | ") + " |" }).joined(separator: "\n")
        case .latex:
            let escape = { (s: String) in s.replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "%", with: "\\%") }
            return (["% " + proto, "\\begin{tabular}{l r " + cols.map { _ in "c" }.joined(separator: " ") + "}", "\\toprule",
                     header.map(escape).joined(separator: " & ") + " \\\\", "\\midrule"]
                + body.map { $0.map(escape).joined(separator: " & ") + " \\\\" } + ["\\bottomrule", "\\end{tabular}"]).joined(separator: "\n")
        case .csv:
            var out = ["estimator,source,n," + cols.flatMap { [$0, "\($0)_lower", "\($0)_upper", "\($0)_p"] }.joined(separator: ",")
                       + ",dataset,split,hp,seed,subset,bootstrap,bootstrap_seed,level"]
            for r in rows {
                var fields = [r.estimator, r.source, String(r.architectures)]
                for c in cols {
                    let m = r.metric(c)
                    fields += [m.map { String($0.value) } ?? "", m?.lower.map { String($0) } ?? "", m?.upper.map { String($0) } ?? "",
                               m?.pValue.map { String($0) } ?? ""]
                }
                let p = r.rankingProtocol
                fields += [p.dataset, p.split, String(p.hp), p.seedPolicy, p.subset, String(p.bootstrapResamples),
                           String(p.bootstrapSeed), String(p.level)]
                out.append(fields.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
            }
            return out.joined(separator: "\n")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(rows), as: UTF8.self)
        }
    }
}
