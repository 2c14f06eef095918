namespace Edge.Hosting; internal static class Placeholder {}
