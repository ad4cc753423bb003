import Crypto
@testable import CRMSessions
import Foundation
import XCTest

final class CredentialTests: XCTestCase {
    let instanceA = "aaaaaaaa-0000-0000-0000-000000000001"
    let instanceB = "bbbbbbbb-0000-0000-0000-000000000002"

    func test_masterKeyFileIsCreatedOnceWithMode0600() throws {
        let data = try temporaryFolder(self).appendingPathComponent("data")
        let vault = try CredentialVault.load(dataDirectory: data, environment: [:])
        let keyPath = data.appendingPathComponent("master.key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(FileManager.default.contents(atPath: keyPath)?.count, 32)

        let sealed = try vault.seal(Data("secret".utf8), for: instanceA)
        let reloaded = try CredentialVault.load(dataDirectory: data, environment: [:])
        XCTAssertEqual(try reloaded.open(sealed, for: instanceA), Data("secret".utf8), "the same key is read back")
    }

    func test_environmentKeyIsUsedAndAMalformedOneIsRefused() throws {
        let data = try temporaryFolder(self)
        let key = Data((0..<32).map { UInt8($0) })
        let vault = try CredentialVault.load(dataDirectory: data, environment: [CredentialVault.environmentVariable: key.base64EncodedString()])
        XCTAssertFalse(FileManager.default.fileExists(atPath: data.appendingPathComponent("master.key").path))
        let direct = try CredentialVault(masterKey: SymmetricKey(data: key))
        XCTAssertEqual(try direct.open(try vault.seal(Data("x".utf8), for: instanceA), for: instanceA), Data("x".utf8))

        XCTAssertThrowsError(try CredentialVault.load(dataDirectory: data, environment: [CredentialVault.environmentVariable: "c2hvcnQ="])) {
            guard case .masterKeyInvalid(let source, _)? = $0 as? CredentialError else { return XCTFail("\($0)") }
            XCTAssertEqual(source, CredentialVault.environmentVariable)
        }
    }

    /// The key kept away from the database it protects: a copy of the data
    /// folder alone opens nothing.
    func test_theMasterKeyCanLiveOutsideTheDataFolder() throws {
        let root = try temporaryFolder(self)
        let data = root.appendingPathComponent("data")
        let keyFile = root.appendingPathComponent("secrets/crm.key")
        let vault = try CredentialVault.load(dataDirectory: data, keyFile: keyFile, environment: [:])
        XCTAssertEqual(FileManager.default.contents(atPath: keyFile.path)?.count, 32)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions]
        XCTAssertEqual((mode as? NSNumber)?.intValue, 0o600)
        XCTAssertFalse(FileManager.default.fileExists(atPath: data.appendingPathComponent("master.key").path))

        let sealed = try vault.seal(Data("secret".utf8), for: instanceA)
        let fromEnvironment = try CredentialVault.load(dataDirectory: data,
                                                       environment: [CredentialVault.fileEnvironmentVariable: keyFile.path])
        XCTAssertEqual(try fromEnvironment.open(sealed, for: instanceA), Data("secret".utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: data.appendingPathComponent("master.key").path))
    }

    func test_aTruncatedKeyFileIsRefused() throws {
        let data = try temporaryFolder(self)
        FileManager.default.createFile(atPath: data.appendingPathComponent("master.key").path, contents: Data(count: 7))
        XCTAssertThrowsError(try CredentialVault.load(dataDirectory: data, environment: [:])) {
            guard case .masterKeyInvalid? = $0 as? CredentialError else { return XCTFail("\($0)") }
        }
    }

    func test_sealedCredentialsOpenOnlyForTheirInstanceUnalteredUnderTheirKey() throws {
        let vault = try CredentialVault(masterKey: SymmetricKey(size: .bits256))
        let plaintext = Data(#"{"phone":"5511999998888","secret":"s"}"#.utf8)
        let sealed = try vault.seal(plaintext, for: instanceA)
        XCTAssertNil(sealed.range(of: Data("5511999998888".utf8)), "no plaintext at rest")
        XCTAssertEqual(try vault.open(sealed, for: instanceA), plaintext)

        XCTAssertThrowsError(try vault.open(sealed, for: instanceB)) {
            XCTAssertEqual($0 as? CredentialError, .cannotOpen(instance: instanceB))
        }
        var tampered = sealed
        tampered[tampered.count / 2] ^= 0x01
        XCTAssertThrowsError(try vault.open(tampered, for: instanceA)) {
            XCTAssertEqual($0 as? CredentialError, .cannotOpen(instance: instanceA))
        }
        let otherKey = try CredentialVault(masterKey: SymmetricKey(size: .bits256))
        XCTAssertThrowsError(try otherKey.open(sealed, for: instanceA))
        XCTAssertThrowsError(try vault.open(Data([1, 2, 3]), for: instanceA))
    }

    func test_credentialFolderKeepsOneSealedFilePerInstanceAndErasesIt() throws {
        let folder = try temporaryFolder(self).appendingPathComponent("credentials")
        let store = try CredentialFolder(directory: folder, vault: try CredentialVault(masterKey: SymmetricKey(size: .bits256)))
        XCTAssertNil(try store.load(for: instanceA))
        try store.save(Data("first".utf8), for: instanceA)
        try store.save(Data("second".utf8), for: instanceA)
        try store.save(Data("b".utf8), for: instanceB)
        XCTAssertEqual(try store.load(for: instanceA), Data("second".utf8))
        XCTAssertEqual(try store.load(for: instanceB), Data("b".utf8))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(files, ["\(instanceA).sealed", "\(instanceB).sealed"])
        let mode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(files[0]).path)[.posixPermissions]
        XCTAssertEqual((mode as? NSNumber)?.intValue, 0o600)

        try store.erase(for: instanceA)
        try store.erase(for: instanceA)
        XCTAssertNil(try store.load(for: instanceA))
        XCTAssertEqual(try store.load(for: instanceB), Data("b".utf8))
    }

    func test_aFileMovedToAnotherInstanceDoesNotOpen() throws {
        let folder = try temporaryFolder(self)
        let store = try CredentialFolder(directory: folder, vault: try CredentialVault(masterKey: SymmetricKey(size: .bits256)))
        try store.save(Data("a's session".utf8), for: instanceA)
        try FileManager.default.copyItem(at: folder.appendingPathComponent("\(instanceA).sealed"),
                                         to: folder.appendingPathComponent("\(instanceB).sealed"))
        XCTAssertThrowsError(try store.load(for: instanceB)) {
            XCTAssertEqual($0 as? CredentialError, .cannotOpen(instance: instanceB))
        }
    }

    func test_instanceIdsThatAreNotFileNamesAreRefused() throws {
        let store = try CredentialFolder(directory: try temporaryFolder(self),
                                         vault: try CredentialVault(masterKey: SymmetricKey(size: .bits256)))
        XCTAssertThrowsError(try store.save(Data("x".utf8), for: "../escape"))
        XCTAssertThrowsError(try store.load(for: ""))
    }
}
