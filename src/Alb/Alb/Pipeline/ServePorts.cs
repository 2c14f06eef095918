namespace Alb.Pipeline;

/// <summary>The listener ports redirects need: the HTTPS redirect names the HTTPS port unless it is 443.</summary>
internal sealed record ServePorts(int HttpsPort);
