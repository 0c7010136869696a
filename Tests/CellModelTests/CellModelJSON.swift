import CellModel
import Foundation

/// `model` as the JSON object `CellModelFile.encode` writes, for tests that edit one field.
func cellModelJSON(_ model: CellModelParameters) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: try CellModelFile.encode(model)) as! [String: Any]
}

/// `object` read back as `CellModelFile.decode` reads a file, its errors naming `file`.
func decodeCellModel(_ object: [String: Any], file: String) throws(CellModelFileError) -> CellModelParameters {
    try CellModelFile.decode(try! JSONSerialization.data(withJSONObject: object), file: file)
}
