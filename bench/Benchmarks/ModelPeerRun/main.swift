import ChurnModel
import Foundation

// Times ChurnModel on a LightGBM model the way bench/peers/lightgbm_models.py times LightGBM and
// lleaves: the same model and rows, one thread, the median of repeated runs. Prints JSON.
//   ModelPeerRun MODEL.txt ROWS.f64 FEATURES
let arguments = CommandLine.arguments
guard arguments.count == 4, let featureCount = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: ModelPeerRun MODEL.txt ROWS.f64 FEATURES\n".utf8))
    exit(2)
}
let model = try LightGBMModel(text: String(contentsOfFile: arguments[1], encoding: .utf8))
let data = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
let values: [Double] = data.withUnsafeBytes { bytes in
    (0..<data.count / 8).map {
        Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
    }
}
let rows = stride(from: 0, to: values.count, by: featureCount).map { Array(values[$0..<$0 + featureCount]) }

func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

var sink = 0.0
// MODEL_PROFILE_ROWS=N: score N rows once and stop (for callgrind).
if let count = ProcessInfo.processInfo.environment["MODEL_PROFILE_ROWS"].flatMap(Int.init) {
    for row in rows.prefix(count) { sink += try model.predict(row) }
    print(sink)
    exit(0)
}
// Warm up.
for row in rows { sink += try model.predict(row) }

// One row at a time, as the scorer does per call: ns per row.
var oneRow: [Double] = []
for _ in 0..<21 {
    let time = try seconds { for row in rows { sink += try model.predict(row) } }
    oneRow.append(time / Double(rows.count) * 1e9)
}

// A batch of every row into one output buffer, row after row: rows per second.
var output = [Double](repeating: 0, count: rows.count)
var rowLoop: [Double] = []
for _ in 0..<21 {
    let time = try seconds {
        for (index, row) in rows.enumerated() { output[index] = try model.predict(row) }
    }
    rowLoop.append(Double(rows.count) / time)
}
sink += output[0]

// The same batch through the blocked batch API (rows walk a tree together), the link applied
// per row as predict applies it: rows per second. Checked equal to the row loop.
let flat = rows.flatMap { $0 }
var blocked = [Double](repeating: 0, count: rows.count)
var batch: [Double] = []
for _ in 0..<21 {
    let time = try seconds {
        try flat.withUnsafeBufferPointer { values in
            try blocked.withUnsafeMutableBufferPointer { try model.ensemble.rawScores(rows: values, into: $0) }
        }
        for index in blocked.indices { blocked[index] = model.link.apply(blocked[index]) }
    }
    batch.append(Double(rows.count) / time)
}
guard zip(blocked, output).allSatisfy({ $0.bitPattern == $1.bitPattern }) else {
    FileHandle.standardError.write(Data("ModelPeerRun: the batch API disagrees with predict\n".utf8))
    exit(1)
}

// TreeSHAP for one row: µs per row, over the first 1,000 rows.
var shap: [Double] = []
var contributions = [Double](repeating: 0, count: featureCount + 1)
for _ in 0..<5 {
    let time = try seconds {
        for row in rows.prefix(1_000) {
            try row.withUnsafeBufferPointer { row in
                try contributions.withUnsafeMutableBufferPointer { try model.ensemble.contributions(row, into: $0) }
            }
        }
    }
    shap.append(time / 1_000 * 1e6)
}

print(
    """
    {"implementation": "ChurnModel", "trees": \(model.ensemble.treeCount), "rows": \(rows.count), \
    "one_row_ns": \(median(oneRow)), "batch_rows_per_s": \(median(batch)), "row_loop_rows_per_s": \(median(rowLoop)), "treeshap_one_row_us": \(median(shap)), \
    "checksum": \(sink.isFinite ? 1 : 0)}
    """
)
