// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxModel
import CIBoxReport
import CIBoxStore

/// `cibox report`: writes the whole static HTML report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the static HTML report of every project and pipeline.",
        discussion: """
            The report opens from disk or from any web server, without JavaScript. `cibox run` and the daemon \
            keep it up to date after each job (unless settings.yml says `report: false`); this command writes \
            every page again and removes the pages of pipelines that `cibox gc` deleted.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Where to write the report (default: $CIBOX_HOME/reports).", valueName: "dir"))
    var out: String?

    func run() throws {
        let home = global.homeDirectory
        let layout = ReportLayout(root: out.map { Paths.absolute($0) } ?? ReportLayout.defaultRoot(home: home))
        // A report written elsewhere is meant to be served; the one in the home only when settings say so.
        let settings = try HistoryAccess.settings(global)
        let worldReadable = out != nil || settings.reportIsWorldReadable
        let writer = ReportWriter(store: try HistoryAccess.open(global), layout: layout, worldReadable: worldReadable)
        do {
            let count = try writer.writeAll()
            Terminal.error("cibox: wrote the report of \(count) pipeline(s)\n")
            Terminal.output("\(layout.path(ReportLayout.indexPage))\n")
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
    }
}
