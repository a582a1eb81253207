// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Hummingbird

/// `POST /api/v1/projects/NAME/pipelines`, `POST /api/v1/pipelines/ID/cancel`, `…/rerun` and `…/approve/JOB`:
/// operators' actions (``AccessMiddleware`` lets only their tokens through), done by ``PipelineActions``.
enum ActionRoutes {
    /// The most bytes a request body may have (the connection is cut beyond ``APIServer/maximumBody`` anyway).
    static let maximumBody = 16 * 1024

    static func add(to router: Router<some RequestContext>, actions: PipelineActions) {
        router.post("/api/v1/projects/:name/pipelines") { request, context in
            let name = context.parameters.get("name") ?? ""
            let body = try await Self.object(request, fields: ["branch", "rev", "parameters"])
            let branch = try Self.text(body["branch"], field: "branch")
            let revision = try Self.text(body["rev"], field: "rev")
            if branch != nil, revision != nil {
                throw APIError(.badRequest, "Give 'branch' or 'rev', not both.")
            }
            let parameters = try Self.parameters(body["parameters"])
            let pipeline = try await actions.trigger(
                project: name, branch: branch, revision: revision, parameters: parameters)
            return Self.created(pipeline)
        }
        router.post("/api/v1/pipelines/:id/cancel") { request, context in
            let id = try PipelineRoutes.identifier(context, kind: "pipeline")
            _ = try await Self.object(request, fields: [])
            return JSONResponse.make(try await actions.cancel(pipelineID: id), status: .accepted)
        }
        router.post("/api/v1/pipelines/:id/rerun") { request, context in
            let id = try PipelineRoutes.identifier(context, kind: "pipeline")
            let body = try await Self.object(request, fields: ["failed"])
            let failed: Bool
            switch body["failed"] {
            case nil, .null: failed = false
            case .bool(let value): failed = value
            default: throw APIError(.badRequest, "'failed' must be true or false.")
            }
            return Self.created(try await actions.rerun(pipelineID: id, failedOnly: failed))
        }
        router.post("/api/v1/pipelines/:id/approve/:job") { request, context in
            let id = try PipelineRoutes.identifier(context, kind: "pipeline")
            let job = context.parameters.get("job") ?? ""
            _ = try await Self.object(request, fields: [])
            return JSONResponse.make(try await actions.approve(pipelineID: id, job: job))
        }
    }

    /// 201 with the new pipeline, and its address in `Location`.
    static func created(_ pipeline: JSONValue) -> Response {
        var response = JSONResponse.make(pipeline, status: .created)
        if case .object(let fields) = pipeline, let id = fields.first(where: { $0.0 == "id" })?.1,
            case .int(let number) = id
        {
            response.headers[.location] = "/api/v1/pipelines/\(number)"
        }
        return response
    }

    /// The request's body as a JSON object with only `fields` (an empty body is an empty object).
    static func object(_ request: Request, fields: [String]) async throws -> [String: JSONInput] {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBody)
        return try parse(Data(buffer.readableBytesView), fields: fields)
    }

    /// `data` as a JSON object with only `fields`; blank is an empty object.
    static func parse(_ data: Data, fields: [String]) throws(APIError) -> [String: JSONInput] {
        guard data.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return [:] }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONInput.self, from: data) else {
            throw APIError(.badRequest, "The request's body must be a JSON object.")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            let known = fields.isEmpty ? "this request takes none" : "the fields are " + fields.joined(separator: ", ")
            throw APIError(.badRequest, "Unknown field '\(unknown)': \(known).")
        }
        return object
    }

    /// A non-empty string field, or nil when absent or null.
    static func text(_ value: JSONInput?, field: String) throws(APIError) -> String? {
        switch value {
        case nil, .null: return nil
        case .string(let text) where !text.isEmpty: return text
        default: throw APIError(.badRequest, "'\(field)' must be a non-empty string.")
        }
    }

    /// Pipeline parameters: an object of strings, numbers and booleans (as `cibox run --parameter` takes them).
    static func parameters(_ value: JSONInput?) throws(APIError) -> [String: String] {
        switch value {
        case nil, .null: return [:]
        case .object(let object):
            var parameters: [String: String] = [:]
            for (name, value) in object {
                switch value {
                case .bool(let flag): parameters[name] = flag ? "true" : "false"
                case .number(let text), .string(let text): parameters[name] = text
                default:
                    throw APIError(.badRequest, "Parameter '\(name)' must be a string, a number or a boolean.")
                }
            }
            return parameters
        default: throw APIError(.badRequest, "'parameters' must be an object of names and values.")
        }
    }
}

/// A JSON value read from a request, numbers kept as their text.
indirect enum JSONInput: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONInput])
    case object([String: JSONInput])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let whole = try? container.decode(Int64.self) {
            self = .number(String(whole))
        } else if let number = try? container.decode(Double.self) {
            self = .number(String(number))
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let array = try? container.decode([JSONInput].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONInput].self))
        }
    }
}
