import FirewallAuditCommands
import Foundation

exit(FirewallAudit.runMain())
