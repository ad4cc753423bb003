import CRMCore
import CRMSessions
import Foundation

/// `/sim` on the host's simulated network, with its errors as API answers.
struct SimulatorAdapter: SimulatorService {
    let network: SimNetwork

    func scan(qr: String, phone: String) async throws -> String {
        do { return try await network.scan(qr: qr, phone: phone) } catch { throw SimulatorAdapter.answer(error) }
    }

    func contactWrites(to: String, from: String, name: String?, text: String, id: String?, group: GroupRef?) async throws -> String {
        do {
            return try await network.deliver(to: to, from: from, name: name, text: text, id: id, group: group)
        } catch {
            throw SimulatorAdapter.answer(error)
        }
    }

    func delivered(to phone: String) async -> [SimDeliveryJSON] {
        ((try? await network.messages(for: phone)) ?? []).map {
            SimDeliveryJSON(id: $0.id, from: $0.from, to: $0.to, text: $0.text, at: $0.at)
        }
    }

    static func answer(_ error: any Error) -> APIError {
        if let error = error as? APIError { return error }
        guard let error = error as? SimNetworkError else { return APIError.rejected(error) }
        switch error {
        case .numberConnectedElsewhere(let phone, _): return .numberConnectedElsewhere(phone)
        case .unknownPairingCode, .numberNotConnected: return APIError(.notFound, code: "not_found", message: error.description)
        case .connectionRefused: return APIError(.serviceUnavailable, code: "unavailable", message: error.description)
        }
    }
}
