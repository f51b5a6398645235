/// The isac-twin release; stored in every recording.
public enum IsacTwin {
    public static let version = "0.2.0"
}
