import CRMCore

/// Which folder of the scripts directory belongs to an instance: the one named
/// like the instance, else the one named by its phone number (digits, any
/// punctuation). `_shared` and hidden folders belong to no one.
enum FolderBinding {
    static func folder(for instance: InstanceInfo, among folders: Set<String>) -> String? {
        if folders.contains(instance.name), isBotFolder(instance.name) { return instance.name }
        guard let phone = instance.phoneNumber.map(PhoneNumber.digits), !phone.isEmpty else { return nil }
        return folders.sorted().first { isPhoneLike($0) && PhoneNumber.digits($0) == phone }
    }

    static func isBotFolder(_ name: String) -> Bool {
        name != ScriptSources.sharedFolder && !name.hasPrefix(".") && !name.isEmpty
    }

    private static func isPhoneLike(_ name: String) -> Bool {
        name.contains { $0.isNumber } && name.allSatisfy { $0.isNumber || "+-() ".contains($0) }
    }
}
