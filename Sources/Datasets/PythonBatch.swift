import Pickle

/// The python layouts (CIFAR `cifar-10-batches-py` / `cifar-100-python`, ImageNet16): one pickled dict per
/// batch file, with `data` a numpy uint8 array of images x (C*H*W), planar CHW like the binary layout,
/// and the labels a list of ints under a layout-specific key.
enum PythonBatch {
    /// The images and labels of one batch file; every label is checked against `valid`.
    static func read(file path: String, shape: ImageShape, labelKey: String, valid: ClosedRange<Int>,
                     expected: String) throws -> (pixels: [UInt8], labels: [Int]) {
        guard FileBytes.exists(path) else { throw DatasetError.missingFile(path: path, expected: expected) }
        let object: PickleValue
        do {
            object = try PickleFile(path: path).load().object
        } catch {
            throw DatasetError.malformedBatch(path: path, reason: "not a readable pickle (\(error))")
        }
        guard case let .dict(dict) = object else {
            throw DatasetError.malformedBatch(path: path, reason: "holds a \(object.typeName), expected a dict")
        }
        guard case let .ndarray(array) = dict["data"] ?? .none, let dtype = array.dtype,
              dtype.kind == "u", dtype.itemSize == 1, !array.isFortran, array.shape.count == 2,
              array.shape[1] == shape.elementCount, array.raw.count == array.count
        else {
            throw DatasetError.malformedBatch(
                path: path, reason: "\"data\" is not a C-order uint8 array of images x \(shape.elementCount) "
                    + "(\(shape) planar)")
        }
        let count = array.shape[0]
        guard case let .list(list) = dict[labelKey] ?? .none, list.items.count == count else {
            throw DatasetError.malformedBatch(
                path: path, reason: "\"\(labelKey)\" is not a list of \(count) labels (one per image of \"data\")")
        }
        var labels = [Int]()
        labels.reserveCapacity(count)
        for (record, item) in list.items.enumerated() {
            let label: Int? = switch item {
            case let .int(v): v
            case let .numpyScalar(s): s.intValue
            default: nil
            }
            guard let label else {
                throw DatasetError.malformedBatch(
                    path: path, reason: "\"\(labelKey)\"[\(record)] is a \(item.typeName), expected an int")
            }
            guard valid.contains(label) else {
                throw DatasetError.labelOutOfRange(path: path, record: record, label: label, valid: valid)
            }
            labels.append(label)
        }
        return (array.raw, labels)
    }
}
