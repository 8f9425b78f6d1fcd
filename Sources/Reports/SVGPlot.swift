import Foundation

/// The small SVG toolkit behind the report's charts: a canvas of elements, linear scales with round ticks, and
/// a plot frame (axes, ticks, labels, title). Charts (scatter, heat map, lines) are built from these pieces.
public struct SVGCanvas: Sendable {
    public let width: Double
    public let height: Double
    private var elements: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000", width: Double = 1) {
        elements.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>")
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil) {
        elements.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"\(fill)\""
            + (stroke.map { " stroke=\"\($0)\"" } ?? "") + "/>")
    }

    public mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, opacity: Double = 1) {
        elements.append("<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"\(fill)\""
            + (opacity < 1 ? " fill-opacity=\"\(n(opacity))\"" : "") + "/>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        let coordinates = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>")
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    /// Text at (x, y); `rotate` turns it about its anchor point (degrees, clockwise).
    public mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: Anchor = .start,
                              rotate: Double = 0, fill: String = "#000", bold: Bool = false) {
        let transform = rotate == 0 ? "" : " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\""
        elements.append("<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
            + (bold ? " font-weight=\"bold\"" : "") + transform + ">\(escapeXML(s))</text>")
    }

    /// The whole document, with a white background and a sans-serif default font.
    public var document: String {
        (["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
          "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#fff\"/>"]
            + elements + ["</svg>", ""]).joined(separator: "\n")
    }

    /// Coordinates with at most two decimals keep files small and diffs stable.
    private func n(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r).replacingOccurrences(of: "0$", with: "", options: .regularExpression)
    }
}

public func escapeXML(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// A linear map from a data interval to a pixel interval, with round tick values (1, 2 or 5 times a power of ten,
/// whichever step is nearest to the requested tick count).
public struct LinearScale: Sendable {
    public let lower: Double
    public let upper: Double
    public let pixelStart: Double
    public let pixelEnd: Double
    public let step: Double

    /// Fits `values` (padded by 3% each side) and widens the interval to whole ticks, about `tickCount` of them.
    public init(fitting values: [Double], pixels: (Double, Double), tickCount: Int = 6) {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.03
        lo -= pad; hi += pad
        let step = Self.roundStep((hi - lo) / Double(max(1, tickCount - 1)))
        self.init(lower: (lo / step).rounded(.down) * step, upper: (hi / step).rounded(.up) * step, pixels: pixels, step: step)
    }

    public init(lower: Double, upper: Double, pixels: (Double, Double), step: Double) {
        self.lower = lower
        self.upper = upper
        self.pixelStart = pixels.0
        self.pixelEnd = pixels.1
        self.step = step
    }

    static func roundStep(_ raw: Double) -> Double {
        let power = pow(10, (log10(raw)).rounded(.down))
        let mantissa = raw / power
        return (mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10) * power
    }

    public func callAsFunction(_ x: Double) -> Double {
        pixelStart + (x - lower) / (upper - lower) * (pixelEnd - pixelStart)
    }

    public var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// A tick value with as many decimals as the step needs.
    public func label(_ x: Double) -> String {
        let decimals = max(0, Int(-log10(step).rounded(.down)))
        let text = String(format: "%.\(decimals)f", x)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}

/// A rectangular plot area inside a canvas, with its two scales; draws the frame, ticks, labels and title.
public struct PlotFrame: Sendable {
    public let x: LinearScale
    public let y: LinearScale
    public let left: Double, top: Double, right: Double, bottom: Double

    /// Margins leave room for tick labels (left, bottom), axis labels and the title (top).
    public init(width: Double, height: Double, xValues: [Double], yValues: [Double],
                margins: (left: Double, top: Double, right: Double, bottom: Double) = (70, 50, 20, 55)) {
        left = margins.left; top = margins.top; right = width - margins.right; bottom = height - margins.bottom
        x = LinearScale(fitting: xValues, pixels: (left, right))
        y = LinearScale(fitting: yValues, pixels: (bottom, top))
    }

    public func draw(on canvas: inout SVGCanvas, title: String, subtitle: String? = nil, xLabel: String, yLabel: String) {
        for t in x.ticks {
            canvas.line(x(t), top, x(t), bottom, stroke: "#e5e5e5")
            canvas.line(x(t), bottom, x(t), bottom + 5)
            canvas.text(x.label(t), x(t), bottom + 18, size: 11, anchor: .middle)
        }
        for t in y.ticks {
            canvas.line(left, y(t), right, y(t), stroke: "#e5e5e5")
            canvas.line(left - 5, y(t), left, y(t))
            canvas.text(y.label(t), left - 8, y(t) + 4, size: 11, anchor: .end)
        }
        canvas.rect(left, top, right - left, bottom - top, fill: "none", stroke: "#000")
        canvas.text(xLabel, (left + right) / 2, bottom + 40, size: 13, anchor: .middle)
        canvas.text(yLabel, left - 52, (top + bottom) / 2, size: 13, anchor: .middle, rotate: -90)
        canvas.text(title, (left + right) / 2, top - (subtitle == nil ? 18 : 28), size: 14, anchor: .middle, bold: true)
        if let subtitle { canvas.text(subtitle, (left + right) / 2, top - 10, size: 11, anchor: .middle, fill: "#444") }
    }
}

/// Ten distinguishable series colours (the common "category10" palette).
public let seriesColours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
