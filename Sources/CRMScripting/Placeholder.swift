// CRMScripting
