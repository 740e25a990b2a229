using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Completion;

/// <summary>
/// <c>hfctl completion bash|zsh</c>: prints a shell completion script. The script asks hfctl itself
/// for suggestions through System.CommandLine's <c>[suggest:position]</c> directive, so completions
/// always match the installed version's commands and options (no dotnet-suggest needed).
/// </summary>
internal static class CompletionCommand
{
    private static readonly Argument<string> Shell = new Argument<string>("shell")
    {
        Description = "The shell to print the script for",
    }.AcceptOnlyFromAmong("bash", "zsh");

    public static Command Create(App app)
    {
        var command = new Command("completion", "Print a shell completion script for bash or zsh")
        {
            Shell,
        };
        command.Description +=
            "\n\n  bash: echo 'source <(hfctl completion bash)' >> ~/.bashrc" +
            "\n  zsh:  echo 'source <(hfctl completion zsh)' >> ~/.zshrc   (after compinit)";
        command.SetAction(app.Handler((context, _) =>
        {
            context.Console.Out.Write(context.ParseResult.GetValue(Shell) == "zsh" ? Zsh : Bash);
            return Task.FromResult(ExitCodes.Ok);
        }, capOutput: false));
        return command;
    }

    internal const string Bash = """
        # bash completion for hfctl; load with: source <(hfctl completion bash)
        _hfctl_complete()
        {
            local cur="${COMP_WORDS[COMP_CWORD]}"
            local IFS=$'\n'
            local suggestions
            suggestions="$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" || return 0
            COMPREPLY=($(compgen -W "${suggestions}" -- "${cur}"))
        }
        complete -o default -F _hfctl_complete hfctl

        """;

    internal const string Zsh = """
        #compdef hfctl
        # zsh completion for hfctl; load with: source <(hfctl completion zsh), or save as _hfctl in $fpath
        _hfctl() {
          local line="${(j: :)words[1,CURRENT]}"
          local -a suggestions
          suggestions=("${(@f)$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)}")
          compadd -a suggestions
        }
        if [ "$funcstack[1]" = "_hfctl" ]; then
          _hfctl "$@"
        else
          compdef _hfctl hfctl
        fi

        """;
}
