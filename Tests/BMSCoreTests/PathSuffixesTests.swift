import BMSCore
import Testing

/// `PathSuffixes`: the shortest trailing components that tell files apart.
struct PathSuffixesTests {
    @Test func filesOfOneNameGetTheirFolders() {
        #expect(PathSuffixes.distinguishing(["/d/0C/ocv.csv", "/d/10C/ocv.csv", "/d/hppc.csv"]) == ["0C/ocv.csv", "10C/ocv.csv", "hppc.csv"])
        #expect(PathSuffixes.distinguishing(["/p/0C/hwfet.csv", "/p/0C/noisy/hwfet.csv"]) == ["0C/hwfet.csv", "noisy/hwfet.csv"])
        #expect(PathSuffixes.distinguishing(["a/x/f.csv", "b/x/f.csv"]) == ["a/x/f.csv", "b/x/f.csv"])
        #expect(PathSuffixes.distinguishing(["one.csv", "two.csv"]) == ["one.csv", "two.csv"])
    }

    @Test func theSamePathTwiceKeepsOneLabelAndOddPathsDoNotTrap() {
        #expect(PathSuffixes.distinguishing(["/b/two.csv", "/b/two.csv"]) == ["two.csv", "two.csv"])
        #expect(PathSuffixes.distinguishing(["f.csv", "/x/f.csv"]) == ["f.csv", "x/f.csv"])
        #expect(PathSuffixes.distinguishing(["", "/", "./a.csv"]) == ["", "/", "a.csv"])
        #expect(PathSuffixes.distinguishing([]) == [])
    }
}

/// `PathSuffixes.labelled`: names that repeat get the label of their source.
struct PathSuffixesLabelledTests {
    @Test func onlyRepeatedNamesGetTheirFile() {
        #expect(PathSuffixes.labelled(["C", "C", "D"], sources: ["/p/0C/h.csv", "/p/noisy/h.csv", "/p/d.csv"])
                == ["C (0C/h.csv)", "C (noisy/h.csv)", "D"])
        #expect(PathSuffixes.labelled(["C", "C"], sources: ["/a/x.csv", "/a/x.csv"]) == ["C (x.csv)", "C (x.csv)"])
        #expect(PathSuffixes.labelled([], sources: []) == [])
    }
}
