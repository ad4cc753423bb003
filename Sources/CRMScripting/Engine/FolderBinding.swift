import CRMCore

/// Which folder of the scripts directory belongs to an instance: the one named
/// like the instance, else the one named by its phone number (digits, any
/// punctuation; the first by name when several spell the same number).
/// `_shared` and hidden folders belong to no one.
///
/// Built once per scan of the directory, so binding one instance costs two
/// lookups however many folders there are: a host with thousands of numbers
/// binds each new one without walking every folder.
struct FolderBinding {
    let names: Set<String>
    private let byPhone: [String: String]

    init(folders: Set<String>) {
        names = folders.filter(FolderBinding.isBotFolder)
        var byPhone: [String: String] = [:]
        for name in names where FolderBinding.isPhoneLike(name) {
            let digits = PhoneNumber.digits(name)
            if let known = byPhone[digits], known <= name { continue }
            byPhone[digits] = name
        }
        self.byPhone = byPhone
    }

    func folder(for instance: InstanceInfo) -> String? {
        if names.contains(instance.name) { return instance.name }
        guard let phone = instance.phoneNumber.map(PhoneNumber.digits), !phone.isEmpty else { return nil }
        return byPhone[phone]
    }

    static func isBotFolder(_ name: String) -> Bool {
        name != ScriptSources.sharedFolder && !name.hasPrefix(".") && !name.isEmpty
    }

    private static func isPhoneLike(_ name: String) -> Bool {
        name.contains { $0.isNumber } && name.allSatisfy { $0.isNumber || "+-() ".contains($0) }
    }
}
