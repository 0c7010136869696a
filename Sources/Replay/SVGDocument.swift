import Foundation

/// The pieces every SVG of a report shares: the opening tag with a white background and a
/// title, escaped text, and coordinates with one decimal.
enum SVGDocument {
    /// `<svg …>`, a white background and the bold title (escaped) at (`titleX`, 22).
    static func open(width: Double, height: Double, title: String, titleX: Double) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(number(titleX))" y="22" font-size="15" font-weight="bold">\(TextEscaping.html(title))</text>

        """
    }

    /// The closing tag.
    static let close = "</svg>\n"

    /// A coordinate with one decimal (`12.5`).
    static func number(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Two lowercase hex digits of `value` clamped to 0…255 (`0a`), for `#rrggbb` colours.
    static func hexByte(_ value: Int) -> String {
        let digits = String(min(255, max(0, value)), radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }

    /// `<text>` at (x, y) holding `text` (escaped) with extra attributes (already escaped).
    static func text(_ text: String, x: Double, y: Double, attributes: String = "") -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\"\(attributes.isEmpty ? "" : " " + attributes)>\(TextEscaping.html(text))</text>"
    }
}
