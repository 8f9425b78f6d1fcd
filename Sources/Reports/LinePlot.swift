import Foundation

/// Several named x-y series as lines with markers and a legend (e.g. Kendall tau against K or against epochs).
public struct LinePlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    public var svg: String {
        // The legend sits in a right-hand margin as wide as the longest name, so it never covers a line.
        let legendWidth = 40 + 7 * Double(series.map(\.name.count).max() ?? 0)
        var canvas = SVGCanvas(width: 560 + legendWidth, height: 420)
        let all = series.flatMap(\.points)
        let frame = PlotFrame(width: canvas.width, height: canvas.height, xValues: all.map(\.x), yValues: all.map(\.y),
                              margins: (70, 50, 20 + legendWidth, 55))
        frame.draw(on: &canvas, title: title, xLabel: xLabel, yLabel: yLabel)
        for (i, s) in series.enumerated() {
            let colour = seriesColours[i % seriesColours.count]
            let pixels = s.points.sorted { $0.x < $1.x }.map { (frame.x($0.x), frame.y($0.y)) }
            canvas.polyline(pixels, stroke: colour)
            for (px, py) in pixels { canvas.circle(px, py, r: 3, fill: colour) }
            let ly = frame.top + 12 + 20 * Double(i)
            canvas.line(frame.right + 12, ly - 4, frame.right + 32, ly - 4, stroke: colour, width: 2)
            canvas.text(s.name, frame.right + 38, ly, size: 12)
        }
        return canvas.document
    }
}
