import CellData
import Evaluation
import Testing

/// The names `bmsim fit` gives its recordings (report rows and SVG files): the file name, with
/// the folders that tell apart files of one name (one slow test per temperature folder).
struct RecordingFitNamesTests {
    func recording(_ source: String) -> Recording { Recording(cell: "C", source: source, operations: []) }

    @Test func perTemperatureFoldersNameTheirFiles() {
        let names = RecordingFit.names(["/p/0C/ocv.csv", "/p/10C/ocv.csv", "/p/0C/hppc.csv", "/p/x.mat"].map(recording))
        #expect(names == ["0C-ocv", "10C-ocv", "hppc", "x"])
        // The same file twice: numbered, as before.
        #expect(RecordingFit.names(["/p/a.csv", "/p/a.csv"].map(recording)) == ["a", "a-2"])
        // A recording without a source is named by its cell.
        #expect(RecordingFit.names([Recording(cell: "B0005", source: "", operations: [])]) == ["B0005"])
    }
}
