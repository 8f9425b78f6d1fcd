import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reports

/// Parses an SVG document and counts its elements by name; fails the test when the XML is malformed.
private final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var texts: [String] = []
    private var inText = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
        if name == "text" { inText = true; texts.append("") }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { texts[texts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { inText = false }
    }

    static func parse(_ svg: String) -> ElementCounter {
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(counter.counts["svg"] == 1)
        return counter
    }
}

@Suite struct SVGChartTests {
    @Test func scatterDrawsEveryPointOrASeededSample() {
        let points = (0..<500).map { (x: Double($0), y: Double($0 % 37)) }
        let plot = ScatterPlot(title: "est <&> tau", xLabel: "estimate", yLabel: "truth", points: points)
        let parsed = ElementCounter.parse(plot.svg)
        #expect(parsed.counts["circle"] == 500)
        #expect(parsed.texts.contains("est <&> tau") && parsed.texts.contains("500 points"))

        let thinned = ScatterPlot(title: "t", xLabel: "x", yLabel: "y", points: points, maxPoints: 120, seed: 4)
        let thinnedParsed = ElementCounter.parse(thinned.svg)
        #expect(thinnedParsed.counts["circle"] == 120 && thinnedParsed.texts.contains("120 of 500 points drawn (seeded sample)"))
        #expect(thinned.drawnPoints.map(\.x) == thinned.drawnPoints.map(\.x).sorted())
        #expect(thinned.svg == thinned.svg, "the sample is reproducible")
        let otherSeed = ScatterPlot(title: "t", xLabel: "x", yLabel: "y", points: points, maxPoints: 120, seed: 5)
        #expect(otherSeed.drawnPoints.map(\.x) != thinned.drawnPoints.map(\.x))
    }

    @Test func pointsLieInsideTheAxes() {
        let frame = PlotFrame(width: 640, height: 480, xValues: [0.07, 1.53], yValues: [10, 94.4])
        for x in [0.07, 1.53] { #expect(frame.x(x) > frame.left && frame.x(x) < frame.right) }
        for y in [10.0, 94.4] { #expect(frame.y(y) < frame.bottom && frame.y(y) > frame.top) }
        #expect(frame.x.step == 0.2 && frame.x.lower == 0 && frame.x.upper.isApproximately(1.6))
        #expect(frame.x.ticks.map(frame.x.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2", "1.4", "1.6"])
        #expect(frame.y.ticks.map(frame.y.label) == ["0", "20", "40", "60", "80", "100"])
        let flat = LinearScale(fitting: [3, 3], pixels: (0, 100))
        #expect(flat.lower < 3 && flat.upper > 3)
    }

    @Test func heatMapPrintsEveryValueAndAColourScale() {
        let map = CorrelationHeatMap(title: "tau", labels: ["a", "b", "truth"],
                                     values: [[1, -0.25, 0.5], [-0.25, 1, nil], [0.5, nil, 1]])
        let parsed = ElementCounter.parse(map.svg)
        #expect(parsed.texts.filter { $0 == "1.000" }.count == 3)
        #expect(parsed.texts.filter { $0 == "-0.250" }.count == 2 && parsed.texts.filter { $0 == "0.500" }.count == 2)
        #expect(parsed.texts.filter { $0 == "n/a" }.count == 2)
        #expect(["1.0", "0.5", "0.0", "-0.5", "-1.0"].allSatisfy(parsed.texts.contains))
        // 9 cells, 20 colour-bar bands, the bar's frame and the background.
        #expect(parsed.counts["rect"] == 9 + 20 + 1 + 1)
        #expect(CorrelationHeatMap.colour(0) == "#ffffff" && CorrelationHeatMap.colour(1) != CorrelationHeatMap.colour(-1))
    }

    @Test func linePlotHasOneLineAndLegendEntryPerSeries() {
        let plot = LinePlot(title: "tau vs K", xLabel: "K", yLabel: "Kendall tau-b", series: [
            .init(name: "seed 0", points: [(1, 0.5), (2, 0.55), (4, 0.6)]),
            .init(name: "seed 1", points: [(4, 0.58), (1, 0.48)]),
        ])
        let parsed = ElementCounter.parse(plot.svg)
        #expect(parsed.counts["polyline"] == 2 && parsed.counts["circle"] == 5)
        #expect(parsed.texts.contains("seed 0") && parsed.texts.contains("seed 1") && parsed.texts.contains("tau vs K"))
    }
}

extension Double {
    func isApproximately(_ other: Double) -> Bool { abs(self - other) < 1e-9 }
}
