/// One parallel R–C branch of a Thevenin model: resistance and capacitance over SOC × T.
///
/// Between grid points the time constant τ = R·C is interpolated as a table of its own
/// (`timeConstantS`, made from the node products), not as the product of interpolated R and
/// C: where R changes by orders of magnitude between nodes, the product of two interpolants
/// would give time constants far outside every node's.
public struct RCPair: Sendable, Equatable {
    /// Branch resistance R_j, ohms.
    public let resistanceOhm: SOCTemperatureTable
    /// Branch capacitance C_j, farads.
    public let capacitanceF: SOCTemperatureTable
    /// τ_j = R_j · C_j at the nodes, seconds (on the resistance table's grid).
    public let timeConstantS: SOCTemperatureTable

    /// Creates a branch; the two tables must share their grid.
    public init(resistanceOhm: SOCTemperatureTable, capacitanceF: SOCTemperatureTable) {
        precondition(resistanceOhm.socPoints == capacitanceF.socPoints
                     && resistanceOhm.temperaturesC == capacitanceF.temperaturesC,
                     "R and C tables of a branch must share their grid")
        self.resistanceOhm = resistanceOhm
        self.capacitanceF = capacitanceF
        timeConstantS = SOCTemperatureTable(socPoints: resistanceOhm.socPoints,
                                            temperaturesC: resistanceOhm.temperaturesC,
                                            values: zip(resistanceOhm.values, capacitanceF.values).map { $0 * $1 })
    }
}

/// The Thevenin equivalent circuit with n R–C pairs (n = 1 or 2 in BMSim):
///
///     V = OCV(SOC, T) + R0·I + Σ_j v_j
///     dv_j/dt = −v_j / (R_j C_j) + I / C_j
///
/// with I > 0 on charge (the terminal voltage rises above OCV while charging). Over one
/// tick of length Δt with I held, the exact discretisation is
/// `v_j ← a_j v_j + R_j (1 − a_j) I`, `a_j = exp(−Δt / (R_j C_j))`.
public struct TheveninParameters: Sendable, Equatable {
    /// Series (ohmic) resistance R0, ohms.
    public var r0Ohm: SOCTemperatureTable
    /// The R–C branches, fastest first.
    public var pairs: [RCPair]

    /// Creates the parameters.
    public init(r0Ohm: SOCTemperatureTable, pairs: [RCPair]) {
        self.r0Ohm = r0Ohm
        self.pairs = pairs
    }

    /// Number of R–C pairs.
    public var pairCount: Int { pairs.count }
}
