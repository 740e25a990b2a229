using System.Text;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>The small working app a new Space gets unless <c>--empty</c>.</summary>
internal static class StarterApps
{
    private const string DockerFile = """
        FROM python:3.12-slim
        WORKDIR /app
        COPY app.py .
        EXPOSE 7860
        CMD ["python", "app.py"]

        """;

    private const string DockerApp = """
        # A minimal web app: Spaces route traffic to port 7860.
        from http.server import BaseHTTPRequestHandler, HTTPServer


        class Hello(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<h1>Hello from a Docker Space</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)


        HTTPServer(("0.0.0.0", 7860), Hello).serve_forever()

        """;

    private const string GradioApp = """
        import gradio as gr


        def greet(name):
            return f"Hello {name}!"


        gr.Interface(fn=greet, inputs="text", outputs="text").launch()

        """;

    private const string StaticPage = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>My Space</title></head>
        <body><h1>Hello from a static Space</h1></body></html>

        """;

    public static IReadOnlyList<SpaceFile> For(string sdk) => sdk switch
    {
        "docker" => [File("Dockerfile", DockerFile), File("app.py", DockerApp)],
        "gradio" => [File("app.py", GradioApp), File("requirements.txt", "gradio\n")],
        "static" => [File("index.html", StaticPage)],
        _ => [],
    };

    private static SpaceFile File(string path, string text) => new(path, Encoding.UTF8.GetBytes(text));
}
