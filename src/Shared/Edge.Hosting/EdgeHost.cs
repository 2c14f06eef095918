using Microsoft.AspNetCore.Builder;

namespace Edge.Hosting;

/// <summary>
/// The web host every Edge daemon builds. Its content root is the program's own directory, not the working directory,
/// and configuration files are not watched: ASP.NET Core's default would read <c>appsettings.json</c> from wherever
/// the daemon was started and watch that whole directory tree for changes (a <c>FileSystemWatcher</c> with
/// subdirectories: started from <c>/tmp</c> here, alb set 2,063 inotify watches; from the repository's root 705, and
/// was ready ~150 ms later for it), and a stray <c>appsettings.json</c> there could add a Kestrel listener.
/// Edge daemons take their settings from flags and their own files, never from a stray <c>appsettings.json</c>.
/// </summary>
public static class EdgeHost
{
    public static WebApplicationBuilder CreateBuilder() => WebApplication.CreateSlimBuilder(new WebApplicationOptions
    {
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    });
}
