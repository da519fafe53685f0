internal import Foundation

/// A latency-by-percentile plot as SVG, one line per target: the x axis spreads the tail
/// (0 %, 90 %, 99 %, 99.9 %, … at equal steps, as HdrHistogram's plots do) and the y axis is
/// logarithmic, so a peer ten times slower and a 1 s stall both fit.
public enum PercentilePlot {
    /// The SVG text for `series` (name, distribution), titled `title`.
    public static func svg(title: String, series: [(name: String, points: [PercentilePoint])]) -> String {
        let width = 760.0
        let height = 440.0
        let left = 80.0
        let right = 200.0
        let top = 40.0
        let bottom = 50.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let maxNines = 5.0
        let values = series.flatMap { $0.points.map(\.micros) }.filter { $0 > 0 }
        let lowExponent = floor(log10(values.min() ?? 10))
        let highExponent = max(lowExponent + 1, ceil(log10(values.max() ?? 1_000)))

        func x(_ percentile: Double) -> Double {
            let remaining = max(1e-5, 1 - min(percentile, 100) / 100)
            return left + min(maxNines, -log10(remaining)) / maxNines * plotWidth
        }
        func y(_ micros: Double) -> Double {
            let exponent = log10(max(micros, pow(10, lowExponent)))
            return top + plotHeight - (exponent - lowExponent) / (highExponent - lowExponent) * plotHeight
        }
        func format(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(format(left))" y="24" font-size="14" font-weight="bold">\(Self.escape(title))</text>

            """
        // Axes and grid.
        for (nines, label) in ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"].enumerated() {
            let position = left + Double(nines) / maxNines * plotWidth
            svg += "<line x1=\"\(format(position))\" y1=\"\(format(top))\" x2=\"\(format(position))\" "
            svg += "y2=\"\(format(top + plotHeight))\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(format(position))\" y=\"\(format(top + plotHeight + 18))\" text-anchor=\"middle\">"
            svg += "\(label)</text>\n"
        }
        var exponent = lowExponent
        while exponent <= highExponent {
            let position = top + plotHeight - (exponent - lowExponent) / (highExponent - lowExponent) * plotHeight
            svg += "<line x1=\"\(format(left))\" y1=\"\(format(position))\" x2=\"\(format(left + plotWidth))\" "
            svg += "y2=\"\(format(position))\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(format(left - 8))\" y=\"\(format(position + 4))\" text-anchor=\"end\">"
            svg += "\(Self.label(micros: pow(10, exponent)))</text>\n"
            exponent += 1
        }
        svg += "<text x=\"\(format(left + plotWidth / 2))\" y=\"\(format(height - 10))\" text-anchor=\"middle\">"
        svg += "percentile</text>\n"
        svg += "<text x=\"16\" y=\"\(format(top + plotHeight / 2))\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 16 \(format(top + plotHeight / 2)))\">latency</text>\n"
        // Lines and legend.
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        for (index, line) in series.enumerated() {
            let colour = colours[index % colours.count]
            let points = line.points.map { "\(format(x($0.percentile))),\(format(y($0.micros)))" }
            if !points.isEmpty {
                svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" "
                svg += "points=\"\(points.joined(separator: " "))\"/>\n"
            }
            let legendY = top + 10 + Double(index) * 20
            svg += "<line x1=\"\(format(width - right + 16))\" y1=\"\(format(legendY))\" "
            svg +=
                "x2=\"\(format(width - right + 40))\" y2=\"\(format(legendY))\" stroke=\"\(colour)\" stroke-width=\"3\"/>\n"
            svg +=
                "<text x=\"\(format(width - right + 46))\" y=\"\(format(legendY + 4))\">\(Self.escape(line.name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// `10 µs`, `1 ms`, `1 s`: a power of ten of microseconds in words.
    static func label(micros: Double) -> String {
        switch micros {
        case ..<1_000: "\(Int(micros.rounded())) µs"
        case ..<1_000_000: "\(Int((micros / 1_000).rounded())) ms"
        default: "\(Int((micros / 1_000_000).rounded())) s"
        }
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
