/// Short labels for files: for each path the shortest run of trailing components that no
/// other (different) path shares, so that `0C/ocv.csv` and `10C/ocv.csv`, or `hwfet.csv` and
/// `noisy/hwfet.csv`, are told apart in reports and file names. The same path given twice gets
/// the same label (callers number those).
///
/// ```swift
/// PathSuffixes.distinguishing(["/d/0C/ocv.csv", "/d/10C/ocv.csv", "/d/hppc.csv"])
/// // ["0C/ocv.csv", "10C/ocv.csv", "hppc.csv"]
/// ```
public enum PathSuffixes {
    /// The labels of `paths`, in order (components split at `/`, empty ones dropped).
    public static func distinguishing(_ paths: [String]) -> [String] {
        let parts = paths.map { $0.split(separator: "/").map(String.init).filter { $0 != "." } }
        return parts.enumerated().map { i, p in
            guard !p.isEmpty else { return paths[i] }
            for n in 1...p.count {
                let tail = Array(p.suffix(n))
                let clash = parts.enumerated().contains { j, q in j != i && q != p && Array(q.suffix(n)) == tail }
                if !clash { return tail.joined(separator: "/") }
            }
            return p.joined(separator: "/")
        }
    }

    /// Display names: each `names[i]`, and where a name repeats, `name (label)` with the
    /// `distinguishing` label of its source among the others of that name (`C (noisy/hwfet.csv)`).
    public static func labelled(_ names: [String], sources: [String]) -> [String] {
        precondition(names.count == sources.count, "one source per name")
        var groups: [String: [Int]] = [:]
        for (n, name) in names.enumerated() { groups[name, default: []].append(n) }
        var out = names
        for members in groups.values where members.count > 1 {
            for (n, label) in zip(members, distinguishing(members.map { sources[$0] })) { out[n] = "\(names[n]) (\(label))" }
        }
        return out
    }
}
