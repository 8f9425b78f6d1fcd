import Support
import Foundation

/// Estimate (x) against ground truth (y), one dot per architecture. Large sets are thinned to a seeded sample so
/// the file stays small; the subtitle then says how many of how many points are drawn.
public struct ScatterPlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var points: [(x: Double, y: Double)]
    public var maxPoints: Int
    public var seed: UInt64

    public init(title: String, xLabel: String, yLabel: String, points: [(x: Double, y: Double)], maxPoints: Int = 3000, seed: UInt64 = 0) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.maxPoints = maxPoints
        self.seed = seed
    }

    /// The points drawn: all of them, or `maxPoints` drawn without replacement by the seeded generator.
    public var drawnPoints: [(x: Double, y: Double)] {
        guard points.count > maxPoints else { return points }
        var rng = SeededRandom(seed: seed).fork("scatter-points")
        return rng.sample(maxPoints, from: points.count).sorted().map { points[$0] }
    }

    public var svg: String {
        let shown = drawnPoints
        var canvas = SVGCanvas(width: 640, height: 480)
        // Scales fit every point, not only the drawn sample, so thinning never moves the axes.
        let frame = PlotFrame(width: canvas.width, height: canvas.height, xValues: points.map(\.x), yValues: points.map(\.y))
        let subtitle = shown.count < points.count
            ? "\(shown.count) of \(points.count) points drawn (seeded sample)" : "\(points.count) points"
        frame.draw(on: &canvas, title: title, subtitle: subtitle, xLabel: xLabel, yLabel: yLabel)
        for p in shown { canvas.circle(frame.x(p.x), frame.y(p.y), r: 2, fill: seriesColours[0], opacity: 0.45) }
        return canvas.document
    }
}
