/// The Swift snippets one field needs: its type, default, size, write, read and JSON code.
struct FieldCode {
    let field: Schema.Field
    /// The Swift name of the field's element type (`UInt64`, `ScoreResponse.Driver`).
    let elementType: String
    let property: String

    init(field: Schema.Field, swiftName: (String) -> String) {
        self.field = field
        self.property = Naming.lowerCamel(field.name)
        switch field.type {
        case .scalar(let scalar): self.elementType = Self.swiftType(scalar)
        case .message(let fullName), .enumeration(let fullName): self.elementType = swiftName(fullName)
        }
    }

    static func swiftType(_ scalar: ScalarType) -> String {
        switch scalar {
        case .bool: "Bool"
        case .u32: "UInt32"
        case .u64: "UInt64"
        case .i32: "Int32"
        case .i64: "Int64"
        case .f32: "Float"
        case .f64: "Double"
        case .fixed32: "UInt32"
        case .fixed64: "UInt64"
        case .string: "String"
        case .bytes: "[UInt8]"
        }
    }

    var isPacked: Bool { self.field.label == .repeated && self.field.type.isPackable }

    var swiftType: String {
        switch self.field.label {
        case .singular: self.elementType
        case .optional: self.elementType + "?"
        case .repeated: "[\(self.elementType)]"
        }
    }

    /// The value an absent field takes.
    var defaultValue: String {
        switch self.field.label {
        case .optional: return "nil"
        case .repeated: return "[]"
        case .singular: break
        }
        switch self.field.type {
        case .scalar(.bool): return "false"
        case .scalar(.string): return "\"\""
        case .scalar(.bytes): return "[]"
        case .scalar: return "0"
        case .enumeration: return "\(self.elementType)(rawValue: 0)"
        case .message: return "\(self.elementType)()"
        }
    }

    /// The wire type of one element (packed fields use length-delimited on the wire).
    var elementWireType: UInt32 {
        switch self.field.type {
        case .scalar(.f64), .scalar(.fixed64): 1
        case .scalar(.f32), .scalar(.fixed32): 5
        case .scalar(.string), .scalar(.bytes), .message: 2
        case .scalar, .enumeration: 0
        }
    }

    var tagValue: UInt64 { UInt64(self.field.number) << 3 | UInt64(self.isPacked ? 2 : self.elementWireType) }

    /// The tag's varint bytes.
    var tagBytes: [UInt8] {
        var value = self.tagValue
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }

    var writeTag: String {
        self.tagBytes.map { "writer.writeByte(0x" + String($0, radix: 16, uppercase: true).leftPadded(2) + ")" }
            .joined(separator: "; ")
    }

    /// The condition under which a singular field is written (it differs from its default).
    func isSet(_ value: String) -> String? {
        switch self.field.type {
        case .scalar(.bool): value
        case .scalar(.string), .scalar(.bytes): "!\(value).isEmpty"
        case .scalar(.f64), .scalar(.f32): "\(value).bitPattern != 0"
        case .scalar: "\(value) != 0"
        case .enumeration: "\(value).rawValue != 0"
        case .message: nil
        }
    }

    /// The encoded size of one value (without its tag).
    func valueSize(_ value: String) -> String {
        switch self.field.type {
        case .scalar(.bool): "1"
        case .scalar(.u32), .scalar(.u64): "WireSize.varint(\(value))"
        case .scalar(.i32), .scalar(.i64): "WireSize.zigzag(\(value))"
        case .scalar(.f64), .scalar(.fixed64): "8"
        case .scalar(.f32), .scalar(.fixed32): "4"
        case .scalar(.string): "WireSize.lengthDelimited(\(value).utf8.count)"
        case .scalar(.bytes): "WireSize.lengthDelimited(\(value).count)"
        case .enumeration: "WireSize.varint(\(value).rawValue)"
        case .message: "WireSize.lengthDelimited(\(value).encodedSize)"
        }
    }

    /// Statements writing one value (without its tag).
    func writeValue(_ value: String) -> String {
        switch self.field.type {
        case .scalar(.bool): "writer.writeByte(\(value) ? 1 : 0)"
        case .scalar(.u32), .scalar(.u64): "writer.writeVarint(\(value))"
        case .scalar(.i32), .scalar(.i64): "writer.writeVarint(ZigZag.encode(\(value)))"
        case .scalar(.f64): "writer.writeFixed64(\(value).bitPattern)"
        case .scalar(.f32): "writer.writeFixed32(\(value).bitPattern)"
        case .scalar(.fixed64): "writer.writeFixed64(\(value))"
        case .scalar(.fixed32): "writer.writeFixed32(\(value))"
        case .scalar(.string): "writer.writeString(\(value))"
        case .scalar(.bytes): "writer.writeLengthDelimited(\(value))"
        case .enumeration: "writer.writeVarint(\(value).rawValue)"
        case .message: "writer.writeVarint(UInt64(\(value).encodedSize)); \(value).encode(to: &writer)"
        }
    }

    /// An expression reading one (unpacked) value after `tag`.
    var readValue: String {
        switch self.field.type {
        case .scalar(.bool): "reader.readBool(tag)"
        case .scalar(.u32): "reader.readUInt32(tag)"
        case .scalar(.u64): "reader.readUInt64(tag)"
        case .scalar(.i32): "reader.readInt32(tag)"
        case .scalar(.i64): "reader.readInt64(tag)"
        case .scalar(.f64): "reader.readDouble(tag)"
        case .scalar(.f32): "reader.readFloat(tag)"
        case .scalar(.fixed64): "reader.readFixedUInt64(tag)"
        case .scalar(.fixed32): "reader.readFixedUInt32(tag)"
        case .scalar(.string): "reader.readString(tag)"
        case .scalar(.bytes): "reader.readBytes(tag)"
        case .enumeration: "reader.readEnum(tag, as: \(self.elementType).self)"
        case .message: "reader.readMessage(tag, as: \(self.elementType).self)"
        }
    }

    /// The `PackedVarint` conversion for packed varint element types.
    var packedConversion: String? {
        switch self.field.type {
        case .scalar(.bool): "PackedVarint.bool"
        case .scalar(.u32): "PackedVarint.uint32"
        case .scalar(.u64): "PackedVarint.uint64"
        case .scalar(.i32): "PackedVarint.int32"
        case .scalar(.i64): "PackedVarint.int64"
        case .enumeration: "PackedVarint.enumeration"
        default: nil
        }
    }

    /// The packed payload's byte size, for fixed-width elements an expression, else nil.
    var fixedPackedSize: String? {
        switch self.field.type {
        case .scalar(.f64), .scalar(.fixed64): "self.\(self.property).count * 8"
        case .scalar(.f32), .scalar(.fixed32): "self.\(self.property).count * 4"
        case .scalar(.bool): "self.\(self.property).count"
        default: nil
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        self.count >= width ? self : String(repeating: "0", count: width - self.count) + self
    }
}
