import Foundation

/// A square matrix of rank correlations in [-1, 1] as coloured cells with their values printed, and a colour bar.
/// Colours run from blue (-1) through white (0) to red (+1).
public struct CorrelationHeatMap: Sendable {
    public var title: String
    public var labels: [String]
    /// values[i][j]: the correlation of labels[i] with labels[j]; nil where it could not be computed.
    public var values: [[Double?]]

    public init(title: String, labels: [String], values: [[Double?]]) {
        precondition(values.count == labels.count && values.allSatisfy { $0.count == labels.count })
        self.title = title
        self.labels = labels
        self.values = values
    }

    /// The fill of a value: white at 0, saturating to blue at -1 and red at +1.
    public static func colour(_ v: Double) -> String {
        let t = min(1, abs(v))
        let (r, g, b): (Double, Double, Double) = v >= 0 ? (0.70, 0.09, 0.17) : (0.13, 0.40, 0.67)
        let mix = { (c: Double) in Int(((1 - t) * 1 + t * c) * 255) }
        return String(format: "#%02x%02x%02x", mix(r), mix(g), mix(b))
    }

    public var svg: String {
        let n = Double(labels.count)
        let cell = max(44, min(90, 540 / max(1, n)))
        let labelRoom = 16 + 6.5 * Double(labels.map(\.count).max() ?? 0)
        let left = labelRoom, top = 60 + labelRoom * 0.72
        let barX = left + n * cell + 30
        var canvas = SVGCanvas(width: barX + 80, height: max(top + n * cell + 30, top + 260))
        canvas.text(title, 16, 26, size: 14, bold: true)
        for (i, label) in labels.enumerated() {
            let mid = Double(i) * cell + cell / 2
            canvas.text(label, left - 8, top + mid + 4, size: 11, anchor: .end)
            canvas.text(label, left + mid, top - 8, size: 11, rotate: -45)
            for j in labels.indices {
                let x = left + Double(j) * cell, y = top + Double(i) * cell
                guard let v = values[i][j] else {
                    canvas.rect(x, y, cell, cell, fill: "#ddd", stroke: "#fff")
                    canvas.text("n/a", x + cell / 2, y + cell / 2 + 4, size: 11, anchor: .middle)
                    continue
                }
                canvas.rect(x, y, cell, cell, fill: Self.colour(v), stroke: "#fff")
                canvas.text(String(format: "%.3f", v), x + cell / 2, y + cell / 2 + 4, size: 11, anchor: .middle,
                            fill: abs(v) > 0.6 ? "#fff" : "#000")
            }
        }
        // Colour bar: 20 bands from +1 (top) to -1 (bottom), with ticks every 0.5.
        let barHeight = 200.0
        for k in 0..<20 {
            canvas.rect(barX, top + Double(k) * barHeight / 20, 18, barHeight / 20 + 0.5, fill: Self.colour(1 - (Double(k) + 0.5) / 10))
        }
        canvas.rect(barX, top, 18, barHeight, fill: "none", stroke: "#000")
        for v in stride(from: 1.0, through: -1.0, by: -0.5) {
            let y = top + (1 - v) / 2 * barHeight
            canvas.line(barX + 18, y, barX + 23, y)
            canvas.text(String(format: "%.1f", v), barX + 26, y + 4, size: 11)
        }
        canvas.text("Kendall tau-b", barX + 9, top + barHeight + 20, size: 11, anchor: .middle)
        return canvas.document
    }
}
