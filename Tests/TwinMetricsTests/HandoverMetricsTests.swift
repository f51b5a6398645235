import Testing

@testable import TwinMetrics

/// Handover count, ping-pong and interruption on a scripted event list, against hand counts.
struct HandoverMetricsTests {
    @Test func pingPongAndInterruptionOfAScriptedRun() {
        // Track 1: first assigned to A at 0 s; A→B at 1.0; B→A at 1.5 (back within 1 s: a
        // ping-pong); A→C at 5.0; C→A at 7.0 (2 s after leaving A: not one). Track 2: A→B at 3.0
        // and B→A at 4.5 (1.5 s: not one).
        let events = [
            HandoverRecord(time: 0, trackId: 1, from: nil, to: "A"),
            HandoverRecord(time: 1.0, trackId: 1, from: "A", to: "B"),
            HandoverRecord(time: 1.5, trackId: 1, from: "B", to: "A"),
            HandoverRecord(time: 5.0, trackId: 1, from: "A", to: "C"),
            HandoverRecord(time: 7.0, trackId: 1, from: "C", to: "A"),
            HandoverRecord(time: 3.0, trackId: 2, from: "A", to: "B"),
            HandoverRecord(time: 4.5, trackId: 2, from: "B", to: "A"),
        ]
        // Track 1 lives 0…8 s, every 0.1 s, detected except at 1.1, 1.2 (after the 1.0 s
        // handover), 5.1…5.4 (after 5.0) and after 7.0 (never again). Track 2 lives 2…6 s,
        // detected in every frame.
        var frames: [TrackFrame] = []
        for k in 0...80 {
            let missed = [11, 12, 51, 52, 53, 54].contains(k) || k > 70
            frames.append(TrackFrame(trackId: 1, time: Double(k) / 10, detected: !missed))
        }
        for k in 20...60 { frames.append(TrackFrame(trackId: 2, time: Double(k) / 10, detected: true)) }
        let m = HandoverMetrics(
            events: events.reversed(), frames: frames.reversed(), frameDuration: 0.1, targetMinutes: 2, pingPongWindow: 1)
        #expect(m.handovers == 6)
        #expect(m.initialAssignments == 1)
        #expect(m.pingPongs == 1)
        #expect(abs(m.pingPongRate - 1.0 / 6) < 1e-12)
        #expect(m.perTargetMinute == 3)
        // Gaps: 1.0 → 1.3 costs 1.3 − 1.0 − 0.1 = 0.2 s; 1.5 none; 5.0 → 5.5 costs 0.4 s; 7.0 →
        // never again: the track's last frame 8.0 − 7.0 = 1.0 s; track 2 none. Total 1.6 s.
        #expect(abs(m.interruptionTime - 1.6) < 1e-9)
        #expect(abs(m.meanInterruption - 1.6 / 6) < 1e-9)
    }

    /// Two handovers inside one detection gap: detections every 0.1 s up to 1.0 s, A→B at 1.0,
    /// B→C at 1.3, the next detection at 1.5. The frames missed are 1.1, 1.2, 1.3 and 1.4:
    /// 0.4 s, each counted once (0.2 s charged to each handover), not 0.2 + 0.4.
    @Test func overlappingGapsAreCountedOnce() {
        let events = [
            HandoverRecord(time: 0, trackId: 7, from: nil, to: "A"),
            HandoverRecord(time: 1.0, trackId: 7, from: "A", to: "B"),
            HandoverRecord(time: 1.3, trackId: 7, from: "B", to: "C"),
        ]
        let frames = (0...20).map { k in TrackFrame(trackId: 7, time: Double(k) / 10, detected: k <= 10 || k >= 15) }
        let m = HandoverMetrics(events: events, frames: frames, frameDuration: 0.1, targetMinutes: 1, pingPongWindow: 1)
        #expect(m.handovers == 2)
        #expect(abs(m.interruptionTime - 0.4) < 1e-9)
        // Never detected again after two handovers (last frame 2.0): frames 1.1 … 2.0, 1.0 s once.
        let lost = (0...20).map { k in TrackFrame(trackId: 7, time: Double(k) / 10, detected: k <= 10) }
        let n = HandoverMetrics(events: events, frames: lost, frameDuration: 0.1, targetMinutes: 1, pingPongWindow: 1)
        #expect(abs(n.interruptionTime - 1.0) < 1e-9)
    }

    /// Events are per (operator, track): two operators handing over their own tracks of one
    /// twin track (id 3) are separate histories. op-a A→B at 1.0 and op-b B→A at 1.2 on the
    /// same id would read as a ping-pong if merged; it is none.
    @Test func eventsAreGroupedByOperatorAndTrack() {
        let events = [
            HandoverRecord(time: 0, trackId: 3, from: nil, to: "A", operatorName: "op-a"),
            HandoverRecord(time: 0, trackId: 3, from: nil, to: "B", operatorName: "op-b"),
            HandoverRecord(time: 1.0, trackId: 3, from: "A", to: "B", operatorName: "op-a"),
            HandoverRecord(time: 1.2, trackId: 3, from: "B", to: "A", operatorName: "op-b"),
        ]
        let frames = (0...20).map { k in TrackFrame(trackId: 3, time: Double(k) / 10, detected: true) }
        let m = HandoverMetrics(events: events, frames: frames, frameDuration: 0.1, targetMinutes: 1, pingPongWindow: 1)
        #expect(m.handovers == 2 && m.initialAssignments == 2)
        #expect(m.pingPongs == 0)
        #expect(m.interruptionTime == 0)
        // The same events without operators: one history, B→A at 1.2 returns within 1 s.
        let merged = events.map { HandoverRecord(time: $0.time, trackId: $0.trackId, from: $0.from, to: $0.to) }
        #expect(HandoverMetrics(events: merged, frames: frames, frameDuration: 0.1, targetMinutes: 1, pingPongWindow: 1).pingPongs == 1)
    }

    @Test func noHandoversGiveNoRates() {
        let m = HandoverMetrics(
            events: [HandoverRecord(time: 0, trackId: 4, from: nil, to: "A")], frames: [], frameDuration: 0.1, targetMinutes: 1,
            pingPongWindow: 1)
        #expect(m.handovers == 0 && m.initialAssignments == 1)
        #expect(m.pingPongRate.isNaN && m.meanInterruption.isNaN)
        #expect(m.perTargetMinute == 0)
    }
}
